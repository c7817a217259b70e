import { Construct } from "constructs";
import { TerraformIterator } from "cdktf";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { STS_ASSUME_ROLE } from "./perms";
import { PolicyPart, PolicyStatement, policyJson } from "./policy";

export interface RoleProps {
  /** The role name, from the naming helper. */
  readonly name: string;
  /**
   * Who may assume the role: a service principal (`vpc-flow-logs.amazonaws.com`), or IAM principals by ARN
   * (`{ awsPrincipals: [...] }`, for roles people assume).
   */
  readonly assumedBy: string | { readonly awsPrincipals: readonly string[] };
  readonly description: string;
  /** @default no permissions boundary */
  readonly permissionsBoundaryArn?: string;
  /**
   * Conditions on the trust statement (`Arns.trustConditions`: the source account and resource a service
   * may act for). @default none
   */
  readonly trustConditions?: PolicyStatement["Condition"];
}

/** What grant methods need of a role: its name and ARN, and a way to attach an inline policy. */
export interface IRole {
  readonly name: string;
  readonly arn: string;
  addPolicy(name: string, statements: readonly PolicyPart[]): void;
}

/**
 * An IAM role created elsewhere (a plain-Terraform module's input), so grant methods can attach inline
 * policies to it as they do to a `Role`.
 */
export class ExistingRole extends Construct implements IRole {
  constructor(scope: Construct, id: string, public readonly name: string, public readonly arn: string) {
    super(scope, id);
  }

  public addPolicy(name: string, statements: readonly PolicyPart[]): void {
    new IamRolePolicy(this, `policy-${name}`, { role: this.name, name, policy: policyJson(statements) });
  }
}

/**
 * An IAM role trusted by one AWS service. Permissions arrive only through `addPolicy`, called by the
 * grant methods of the construct that owns the resource, so each grant is one named inline policy.
 */
export class Role extends Construct implements IRole {
  public readonly role: IamRole;
  private readonly policyNames = new Set<string>();

  constructor(scope: Construct, id: string, props: RoleProps) {
    super(scope, id);
    this.role = new IamRole(this, "role", {
      name: props.name,
      description: props.description,
      permissionsBoundary: props.permissionsBoundaryArn,
      assumeRolePolicy: policyJson([
        {
          Effect: "Allow",
          Action: STS_ASSUME_ROLE,
          Principal: typeof props.assumedBy === "string" ? { Service: props.assumedBy } : { AWS: props.assumedBy.awsPrincipals },
          ...(props.trustConditions && { Condition: props.trustConditions }),
        },
      ]),
    });
  }

  public get name(): string {
    return this.role.name;
  }

  public get arn(): string {
    return this.role.arn;
  }

  /** Attaches a managed policy, such as an AWS-managed service-role policy or one named in config. */
  public attachManagedPolicy(id: string, policyArn: string): IamRolePolicyAttachment {
    return new IamRolePolicyAttachment(this, `managed-${id}`, { role: this.role.name, policyArn });
  }

  /** Attaches the managed policies of a Terraform list (a module's variable): one attachment resource over them. */
  public attachManagedPolicies(id: string, policyArns: readonly string[]): IamRolePolicyAttachment {
    const each = TerraformIterator.fromList(policyArns as string[]);
    return new IamRolePolicyAttachment(this, `managed-${id}`, { forEach: each, role: this.role.name, policyArn: each.value });
  }

  /** Attaches an inline policy named `name`; each name once per role. */
  public addPolicy(name: string, statements: readonly PolicyPart[]): IamRolePolicy {
    if (this.policyNames.has(name)) {
      throw new Error(`${this.node.path} already has a policy named "${name}"; grant each permission once`);
    }
    this.policyNames.add(name);
    return new IamRolePolicy(this, `policy-${name}`, { role: this.role.id, name, policy: policyJson(statements) });
  }
}
