import { Construct } from "constructs";
import { MetaflowDeployment } from "../modules/metaflow";
import { computeInputs } from "./inputs/compute";
import { networkInputs } from "./inputs/network";
import { databaseInputs, serviceInputs } from "./inputs/service";
import { schedulingInputs } from "./inputs/scheduling";
import { storageInputs } from "./inputs/storage";
import { ModuleStack } from "./module-stack";

/**
 * The whole deployment as one plain Terraform module: the same `MetaflowDeployment` the CDKTF app's
 * stacks compose, with every area's variables (the app's config, field by field, including a reused
 * network and bucket), and the same outputs, the Metaflow profile among them.
 */
export class MetaflowModule extends ModuleStack {
  constructor(scope: Construct, id: string) {
    super(scope, id, "All of Metaflow on AWS in one module: network (or an existing VPC), datastore (or an existing bucket), Batch, metadata service, scheduling, users' access, and the profile");
    const deployment = new MetaflowDeployment(this, {
      naming: this.naming(),
      region: this.region,
      config: {
        network: networkInputs(this, { existing: true }),
        storage: storageInputs(this, { existing: true }),
        compute: computeInputs(this, { withNetwork: true }),
        database: databaseInputs(this),
        service: serviceInputs(this, { withNetwork: true }),
        scheduling: schedulingInputs(this),
      },
      permissionsBoundaryArn: this.boundary(),
    });
    for (const [name, value, description, sensitive] of deployment.outputs) this.output(name, value, description, sensitive);
  }
}
