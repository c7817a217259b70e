import { AREAS, areaOfConstruct, areaOfPath } from "../modules/areas";
import { ALL_KINDS, withUi } from "./support/configs";
import { synthWithMetadata } from "./support/synth";
import { Testing } from "cdktf";
import { StateStack, plannedStateBuckets } from "../modules/state-stack";
import { parseEnvironment } from "../modules/config/load";

/** The table of areas names every construct the composition puts under a stack. */

/** The first construct below the stack of every resource and data source in a synthesized stack. */
function topConstructs(stack: any): Set<string> {
  const found = new Set<string>();
  for (const kind of ["resource", "data"]) {
    for (const byName of Object.values<Record<string, any>>(stack[kind] ?? {})) {
      for (const body of Object.values<any>(byName)) found.add(body["//"].metadata.path.split("/")[1]);
    }
  }
  return found;
}

test("every construct directly under an environment stack is an area of the table", () => {
  const stacks = [
    synthWithMetadata({}),
    synthWithMetadata({ ...ALL_KINDS, scheduling: { users: { access: "role", principalArns: ["arn:aws:iam::123456789012:root"] } } }),
    synthWithMetadata(withUi()),
  ];
  const tops = new Set(stacks.flatMap((s) => [...topConstructs(s)]));
  expect([...tops].filter((id) => !areaOfConstruct(id))).toEqual([]);
  // The deployments use all but the state area.
  expect(AREAS.filter((a) => ![...tops].some((id) => areaOfConstruct(id) === a)).map((a) => a.id)).toEqual(["state"]);
});

test("the state stack's buckets fall in the state area", () => {
  const app = Testing.app();
  const stack = new StateStack(app, plannedStateBuckets([parseEnvironment("dev", {})]));
  Testing.synth(stack);
  const tops = topConstructs(stack.toTerraform());
  expect([...tops].map((id) => areaOfConstruct(id)?.title)).toEqual(["state"]);
});

test("paths are placed by their first construct; unknown ones in no area", () => {
  expect(areaOfPath("metadata/load-balancer")?.title).toBe("metadata service");
  expect(areaOfPath("api/stage")?.title).toBe("API");
  expect(areaOfPath("ui/backend/service")?.title).toBe("UI");
  expect(areaOfPath("uix/service")).toBeUndefined();
  expect(areaOfConstruct("networking")).toBeUndefined();
});
