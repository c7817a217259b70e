import { contains, formatCidr, leadingZeroNumber, overlaps, parseIpv4Cidr, subnet } from "../modules/config/cidr";

const net = (text: string) => {
  const parsed = parseIpv4Cidr(text);
  if (!parsed) throw new Error(`test input ${text} did not parse`);
  return parsed;
};

describe("parseIpv4Cidr", () => {
  test.each(["10.0.0.0/16", "192.168.1.0/24", "0.0.0.0/0", "10.1.2.3/32"])("accepts %s", (text) => {
    expect(formatCidr(net(text))).toBe(text);
  });

  test.each([
    ["host bits set", "10.0.0.1/16"],
    ["prefix over 32", "10.0.0.0/33"],
    ["octet over 255", "10.0.300.0/24"],
    ["no prefix", "10.0.0.0"],
    ["IPv6", "2001:db8::/32"],
    ["words", "ten.zero/8"],
    ["leading space", " 10.0.0.0/16"],
    ["an octet with a leading zero (octal to ipaddr.js: 8.0.0.0)", "010.0.0.0/16"],
    ["a zero-padded last octet", "10.0.0.00/16"],
    ["a prefix with a leading zero", "10.0.0.0/016"],
  ])("refuses %s (%s)", (_why, text) => {
    expect(parseIpv4Cidr(text)).toBeUndefined();
  });
});

describe("leadingZeroNumber", () => {
  test("names the first number written with a leading zero", () => {
    expect(leadingZeroNumber("10.010.0.0/16")).toBe("010");
    expect(leadingZeroNumber("10.0.0.0/08")).toBe("08");
  });
  test("finds none in plain decimal, where a lone 0 is fine", () => {
    expect(leadingZeroNumber("10.0.0.0/16")).toBeUndefined();
    expect(leadingZeroNumber("0.0.0.0/0")).toBeUndefined();
  });
});

describe("contains and overlaps", () => {
  test("a subnet inside its VPC is contained", () => {
    expect(contains(net("10.0.0.0/16"), net("10.0.32.0/19"))).toBe(true);
  });
  test("a network reaching past the end is not contained", () => {
    expect(contains(net("10.0.0.0/16"), net("10.0.0.0/15"))).toBe(false);
    expect(contains(net("10.0.0.0/16"), net("10.1.0.0/24"))).toBe(false);
  });
  test("nested networks overlap; neighbours do not", () => {
    expect(overlaps(net("10.0.0.0/19"), net("10.0.16.0/24"))).toBe(true);
    expect(overlaps(net("10.0.0.0/19"), net("10.0.32.0/19"))).toBe(false);
  });
});

describe("subnet (cidrsubnet)", () => {
  test("matches Terraform's cidrsubnet", () => {
    expect(formatCidr(subnet(net("10.0.0.0/16"), 3, 1))).toBe("10.0.32.0/19");
    expect(formatCidr(subnet(net("10.0.0.0/16"), 6, 56))).toBe("10.0.224.0/22");
    expect(formatCidr(subnet(net("172.16.0.0/12"), 4, 15))).toBe("172.31.0.0/16");
  });
  test("fails when the index does not fit the new bits", () => {
    expect(() => subnet(net("10.0.0.0/16"), 2, 4)).toThrow(RangeError);
  });
  test("fails past /32", () => {
    expect(() => subnet(net("10.0.0.0/30"), 3, 0)).toThrow(RangeError);
  });
});
