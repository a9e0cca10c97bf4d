// The parts of AppSync's `@aws-appsync/utils` runtime the project's resolvers use,
// implemented as AppSync documents them (EvaluateCode runs the real ones).
import { randomUUID } from "node:crypto";

export class AppSyncError extends Error {
  constructor(message, type, data, info) {
    super(message);
    this.type = type ?? null;
    this.data = data ?? null;
    this.info = info ?? null;
  }
}

export class EarlyReturn extends Error {
  constructor(value) {
    super("early return");
    this.value = value;
  }
}

export const appendedErrors = [];

function toDynamoDB(value) {
  if (value === null || value === undefined) return { NULL: true };
  if (typeof value === "string") return { S: value };
  if (typeof value === "number") return { N: String(value) };
  if (typeof value === "boolean") return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(toDynamoDB) };
  if (typeof value === "object") return { M: toMapValues(value) };
  throw new TypeError(`cannot convert ${typeof value} to DynamoDB`);
}

function toMapValues(object) {
  const out = {};
  for (const [key, value] of Object.entries(object)) {
    if (value !== undefined) out[key] = toDynamoDB(value);
  }
  return out;
}

export const util = {
  error(message, type, data, info) {
    throw new AppSyncError(message, type, data, info);
  },
  appendError(message, type, data, info) {
    appendedErrors.push({ message, type: type ?? null, data: data ?? null, info: info ?? null });
  },
  autoId: () => randomUUID(),
  isNullOrEmpty: (value) => value === null || value === undefined || value === "",
  base64Encode: (text) => Buffer.from(text, "utf8").toString("base64"),
  base64Decode: (text) => Buffer.from(text, "base64").toString("utf8"),
  time: {
    nowISO8601: () => new Date().toISOString(),
    nowEpochSeconds: () => Math.floor(Date.now() / 1000),
    nowEpochMilliSeconds: () => Date.now(),
  },
  dynamodb: { toDynamoDB, toMapValues },
};

export const runtime = {
  earlyReturn(value) {
    throw new EarlyReturn(value);
  },
};

export const extensions = {};
