// Pipeline step of Query.product: the product's counters in the counts table (one item
// per event type; partition product_id = the SKU), as views and purchases.
import { runtime, util } from "@aws-appsync/utils";

export function request(ctx) {
  if (!ctx.stash.product) {
    // No product: no counts to read; on to the resolver's response (null).
    runtime.earlyReturn(null);
  }
  return {
    operation: "Query",
    query: {
      expression: "product_id = :sku",
      expressionValues: util.dynamodb.toMapValues({ ":sku": ctx.stash.sku }),
    },
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  const counts = { views: 0, purchases: 0 };
  for (const item of ctx.result.items) {
    if (item.event_type === "view") counts.views = item.event_count ?? 0;
    if (item.event_type === "purchase") counts.purchases = item.event_count ?? 0;
  }
  return counts;
}
