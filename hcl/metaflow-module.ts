import { Construct } from "constructs";
import { MetaflowDeployment } from "../modules/metaflow";
import { computeInputs, databaseInputs, networkInputs, schedulingInputs, serviceInputs, storageInputs } from "./inputs";
import { ModuleStack } from "./module-stack";

/**
 * The whole deployment as one plain Terraform module: the same `MetaflowDeployment` the CDKTF app's
 * stacks compose, with every area's variables, and the same outputs, the Metaflow profile among them.
 */
export class MetaflowModule extends ModuleStack {
  constructor(scope: Construct, id: string) {
    super(scope, id, "All of Metaflow on AWS in one module: network, datastore, Batch, metadata service, scheduling, and the profile");
    const deployment = new MetaflowDeployment(this, {
      naming: this.naming(),
      region: this.region,
      config: {
        network: networkInputs(this),
        storage: storageInputs(this),
        compute: computeInputs(this),
        database: databaseInputs(this),
        service: serviceInputs(this),
        scheduling: schedulingInputs(this),
      },
      permissionsBoundaryArn: this.boundary(),
    });
    for (const [name, value, description, sensitive] of deployment.outputs) this.output(name, value, description, sensitive);
  }
}
