/**
 * The plan reviewer: reads `terraform show -json` output (format 0.1 to 1.x), reports it for a terminal or a
 * pull-request comment, and gates destructive changes to protected resources. The CLI is cli.ts
 * (`npm run review -- <plan.json>`); review/README.md describes both.
 */
export { constructPaths, groupChanges, moduleOf, place } from "./areas";
export type { ChangeGroup, ConstructPaths, Placement } from "./areas";
export { main, readStack, USAGE } from "./cli";
export { planCost } from "./cost";
export { changedPaths, reviewDiagram } from "./diagram";
export type { ReviewDiagram } from "./diagram";
export { attributeChanges, formatPath, formatShown, formatValue, formatWholeValue, SENSITIVE_TEXT, UNKNOWN_TEXT } from "./diff";
export type { AttributeChange, DiffOptions, Shown } from "./diff";
export { PlanInputError } from "./errors";
export { DEFAULT_PROTECTED_TYPES, EXIT_CODES, evaluateGate, hasChanges, parseApprovals, withoutInstanceKey } from "./gate";
export type { Approval, GateOptions, GateResult, ProtectedChange, Verdict } from "./gate";
export { GITHUB_COMMENT_LIMIT, renderMarkdown } from "./markdown";
export type { MarkdownOptions } from "./markdown";
export { actionKind, DESTRUCTIVE_KINDS, isDestructive, toPlan } from "./plan";
export type { ActionKind, OutputChange, PathStep, Plan, ResourceChange } from "./plan";
export { locateJsonError, parsePlanText, readPlanFile } from "./read";
export { buildReview, reviewFile, reviewJson, summaryLine } from "./report";
export type { MaskedValue, Review, ReviewedChange, ReviewedOutput, ReviewOptions } from "./report";
export { renderTerminal } from "./terminal";
export type { TerminalOptions } from "./terminal";
export { ACTION_WORDS, COUNT_ROWS, REASON_WORDS, reasonWords } from "./words";
