// Query.products: one page of the products table's PRODUCT partition, in SKU order.
import { util } from "@aws-appsync/utils";

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

export function request(ctx) {
  const limit = ctx.args.limit ?? DEFAULT_LIMIT;
  if (limit < 1 || limit > MAX_LIMIT) {
    util.error(`limit must be 1 to ${MAX_LIMIT}, got ${limit}`, "BadRequest");
  }
  return {
    operation: "Query",
    query: {
      expression: "#pk = :pk",
      expressionNames: { "#pk": "pk" },
      expressionValues: util.dynamodb.toMapValues({ ":pk": "PRODUCT" }),
    },
    limit,
    nextToken: ctx.args.nextToken ?? null,
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return {
    items: ctx.result.items.map((item) => ({ ...item, sku: item.sk })),
    nextToken: ctx.result.nextToken ?? null,
  };
}
