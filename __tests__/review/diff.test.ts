import { attributeChanges, formatPath, formatShown, formatWholeValue } from "../../review";

/** Attribute-level differences: only changed leaves, nested paths, unknowns, and sensitive values never copied. */

const lines = (change: Parameters<typeof attributeChanges>[0], options = {}) =>
  attributeChanges(change, options).map((a) => `${formatPath(a.path)}: ${formatShown(a.before)} -> ${formatShown(a.after)}${a.forcesReplacement ? " !" : ""}`);

const base = { afterUnknown: {}, beforeSensitive: {}, afterSensitive: {} };

describe("attributeChanges", () => {
  test("lists only the attributes that change", () => {
    expect(lines({ ...base, before: { a: 1, b: "x", c: true }, after: { a: 1, b: "y", c: true } })).toEqual(['b: "x" -> "y"']);
  });

  test("names nested map keys with dots: tags.Name", () => {
    expect(lines({ ...base, before: { tags: { Name: "a", Team: "t" } }, after: { tags: { Name: "b", Team: "t" } } })).toEqual(['tags.Name: "a" -> "b"']);
  });

  test("names list elements by index: ingress[0].cidr_blocks[1]", () => {
    const before = { ingress: [{ cidr_blocks: ["10.0.0.0/8", "192.168.0.0/16"], from_port: 22 }] };
    const after = { ingress: [{ cidr_blocks: ["10.0.0.0/8", "172.16.0.0/12"], from_port: 22 }] };
    expect(lines({ ...base, before, after })).toEqual(['ingress[0].cidr_blocks[1]: "192.168.0.0/16" -> "172.16.0.0/12"']);
  });

  test("quotes keys that are not identifiers", () => {
    expect(lines({ ...base, before: { tags: {} }, after: { tags: { "kubernetes.io/role": "elb" } } })).toEqual(['tags["kubernetes.io/role"]: null -> "elb"']);
  });

  test("shows added and removed list elements", () => {
    expect(lines({ ...base, before: { ids: ["a"] }, after: { ids: ["a", "b"] } })).toEqual(['ids[1]: null -> "b"']);
    expect(lines({ ...base, before: { ids: ["a", "b"] }, after: { ids: ["a"] } })).toEqual(['ids[1]: "b" -> null']);
  });

  test("redacts marked parts of an old value that becomes unknown as a whole", () => {
    const change = { ...base, before: { block: [{ password: "hunter2", port: 5432 }] }, after: {}, afterUnknown: { block: true }, beforeSensitive: { block: [{ password: true }] } };
    expect(lines(change)).toEqual(['block: [{"password":"(sensitive)","port":5432}] -> (known after apply)']);
  });

  test("redacts marked parts of a value whose type changes (an object becoming a string)", () => {
    const change = { ...base, before: { config: { token: "abc", size: 1 } }, after: { config: "none" }, beforeSensitive: { config: { token: true } } };
    expect(lines(change)).toEqual(['config: {"token":"(sensitive)","size":1} -> "none"']);
  });

  test("redacts secret-looking keys inside a whole value when the plan has no marks", () => {
    const change = { ...base, before: { db: { password: "hunter2" } }, after: {}, afterUnknown: { db: true } };
    expect(lines(change, { maskSecretNames: true })).toEqual(['db: {"password":"(sensitive)"} -> (known after apply)']);
  });

  test("reads keys named like Object.prototype members (toString, constructor) as plan data", () => {
    const change = { ...base, before: { tags: { toString: "a", constructor: "b" } }, after: null };
    expect(lines(change)).toEqual(['tags.constructor: "b" -> null', 'tags.toString: "a" -> null']);
  });

  test("shows a container that appears from null", () => {
    expect(lines({ ...base, before: { tags: null }, after: { tags: {} } })).toEqual(["tags: null -> {}"]);
  });

  test("shows values known only after apply, top-level and nested", () => {
    const change = {
      ...base,
      before: { arn: "arn:old", rule: [{ id: "r1", key: "k-old" }] },
      after: { rule: [{ id: "r1", key: null }] },
      afterUnknown: { arn: true, rule: [{ key: true }] },
    };
    expect(lines(change)).toEqual(['arn: "arn:old" -> (known after apply)', 'rule[0].key: "k-old" -> (known after apply)']);
  });

  test("flags paths under replace_paths as forcing the replacement", () => {
    const change = { ...base, before: { cidr_block: "10.0.0.0/24", tags: { A: "1" } }, after: { cidr_block: "10.0.1.0/24", tags: { A: "2" } }, replacePaths: [["cidr_block"]] };
    expect(lines(change)).toEqual(['cidr_block: "10.0.0.0/24" -> "10.0.1.0/24" !', 'tags.A: "1" -> "2"']);
  });
});

describe("sensitive values are never copied out of the plan", () => {
  const SECRET = "s3cr3t-nested-value-91";

  test("a sensitive attribute shows as (sensitive) on both sides", () => {
    const change = { ...base, before: { password: "old-pass-77" }, after: { password: SECRET }, beforeSensitive: { password: true }, afterSensitive: { password: true } };
    expect(lines(change)).toEqual(["password: (sensitive) -> (sensitive)"]);
  });

  test("a value that becomes sensitive masks its old, unmarked value too", () => {
    const change = { ...base, before: { description: SECRET }, after: { description: SECRET }, afterSensitive: { description: true } };
    expect(lines(change)).toEqual(["description: (sensitive) -> (sensitive)"]);
  });

  test("a sensitive key inside a map", () => {
    const change = { ...base, before: { tags: { Name: "a" } }, after: { tags: { Name: "b", Token: SECRET } }, afterSensitive: { tags: { Token: true } } };
    expect(lines(change)).toEqual(['tags.Name: "a" -> "b"', "tags.Token: (sensitive) -> (sensitive)"]);
  });

  test("a sensitive field of one element of a list of objects", () => {
    const change = {
      ...base,
      before: { env: [{ name: "A", value: "1" }, { name: "DB_PASSWORD", value: "old" }] },
      after: { env: [{ name: "A", value: "2" }, { name: "DB_PASSWORD", value: SECRET }] },
      beforeSensitive: { env: [{}, { value: true }] },
      afterSensitive: { env: [{}, { value: true }] },
    };
    expect(lines(change)).toEqual(['env[0].value: "1" -> "2"', "env[1].value: (sensitive) -> (sensitive)"]);
  });

  test("a whole sensitive list", () => {
    const change = { ...base, before: { keys: ["k1"] }, after: { keys: ["k1", SECRET] }, afterSensitive: { keys: true } };
    expect(lines(change)).toEqual(["keys: (sensitive) -> (sensitive)"]);
  });

  test("a sensitive value known only after apply shows its before as (sensitive)", () => {
    const change = { ...base, before: { token: SECRET }, after: {}, afterUnknown: { token: true }, beforeSensitive: { token: true } };
    expect(lines(change)).toEqual(["token: (sensitive) -> (known after apply)"]);
  });

  test("the attribute changes carry no sensitive value at all", () => {
    const change = {
      ...base,
      before: { a: { b: [{ c: "old" }] } },
      after: { a: { b: [{ c: SECRET }] } },
      afterSensitive: { a: { b: [{ c: true }] } },
    };
    expect(JSON.stringify(attributeChanges(change))).not.toContain(SECRET);
  });

  test("secret-looking names are masked when the plan has no sensitivity marks", () => {
    const change = { before: { db_password: "p1", name: "a" }, after: { db_password: "p2", name: "b" }, afterUnknown: {}, beforeSensitive: undefined, afterSensitive: undefined };
    expect(lines(change, { maskSecretNames: true })).toEqual(["db_password: (sensitive) -> (sensitive)", 'name: "a" -> "b"']);
  });

  test("whole values (outputs) mask sensitive parts and show unknown parts", () => {
    expect(formatWholeValue({ a: SECRET, b: 1 }, undefined, { a: true })).toBe('{"a":(sensitive),"b":1}');
    expect(formatWholeValue(["x", null], [false, true], undefined)).toBe('["x",(known after apply)]');
    expect(formatWholeValue(SECRET, undefined, true)).toBe("(sensitive)");
  });
});

describe("formatPath", () => {
  test.each([
    [["tags", "Name"], "tags.Name"],
    [["ingress", 0, "cidr_blocks"], "ingress[0].cidr_blocks"],
    [["tags", "a b"], 'tags["a b"]'],
    [[], "(whole value)"],
  ])("%j is %s", (path, text) => {
    expect(formatPath(path)).toBe(text);
  });
});
