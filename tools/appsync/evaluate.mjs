// AppSync's EvaluateCode, locally: run one exported function (`request` or `response`)
// of an APPSYNC_JS resolver file with a context, print {evaluationResult, error, logs}.
// Input (stdin, JSON): {"code": "<path>", "function": "request", "context": {...}}.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const UTILS = pathToFileURL(join(dirname(new URL(import.meta.url).pathname), "utils.mjs")).href;
// What APPSYNC_JS refuses (AppSync's "Supported runtime features"): EvaluateCode reports
// a code error for these, so does this runner.
const UNSUPPORTED = [
  [/\btry\s*\{/, "try/catch"],
  [/\bthrow\b/, "throw (use util.error)"],
  [/\bwhile\s*\(/, "while loops"],
  [/\bclass\s+[A-Za-z_$]/, "classes"],
  [/\basync\b|\bawait\b/, "async/await"],
  [/\bfunction\s*\*/, "generators"],
  [/\bcontinue\b/, "continue"],
];

const input = JSON.parse(readFileSync(0, "utf8"));
const source = readFileSync(input.code, "utf8");
const bare = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, "");
const logs = [];
function done(result) {
  process.stdout.write(JSON.stringify({ ...result, logs }));
}
const refused = UNSUPPORTED.find(([pattern]) => pattern.test(bare));
if (refused) {
  done({ error: { message: `unsupported in APPSYNC_JS: ${refused[1]}`, type: "CodeError" } });
} else {
  const rewritten = source.replace(/(["'])@aws-appsync\/utils\1/g, JSON.stringify(UTILS));
  const url = "data:text/javascript;base64," + Buffer.from(rewritten).toString("base64");
  const utils = await import(UTILS);
  const module = await import(url);
  console.log = (...args) => logs.push(args.map(String).join(" "));
  console.error = console.log;
  const context = input.context ?? {};
  const ctx = {
    arguments: context.arguments ?? {},
    args: context.arguments ?? {},
    identity: context.identity ?? null,
    source: context.source ?? null,
    result: context.result ?? null,
    error: context.error ?? null,
    prev: context.prev ?? { result: null },
    stash: context.stash ?? {},
    info: context.info ?? {},
    request: context.request ?? { headers: {} },
  };
  const fn = module[input.function];
  if (typeof fn !== "function") {
    done({ error: { message: `the code exports no ${input.function} function`, type: "CodeError" } });
  } else {
    try {
      const value = fn(ctx);
      done({
        evaluationResult: JSON.stringify(value === undefined ? null : value),
        stash: ctx.stash,
        errors: utils.appendedErrors,
      });
    } catch (error) {
      if (error instanceof utils.EarlyReturn) {
        done({ evaluationResult: JSON.stringify(error.value ?? null), earlyReturn: true, stash: ctx.stash });
      } else if (error instanceof utils.AppSyncError) {
        done({ error: { message: error.message, type: error.type, data: error.data }, stash: ctx.stash });
      } else {
        done({ error: { message: String(error?.message ?? error), type: "RuntimeError" } });
      }
    }
  }
}
