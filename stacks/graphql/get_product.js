// Pipeline step of Query.product: the product item, stashed for the next step (none
// when there is no such product).
import { util } from "@aws-appsync/utils";

export function request(ctx) {
  return {
    operation: "GetItem",
    key: util.dynamodb.toMapValues({ pk: "PRODUCT", sk: ctx.stash.sku }),
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  if (!ctx.result) {
    return null;
  }
  const { pk, sk, ...fields } = ctx.result;
  ctx.stash.product = { ...fields, sku: sk };
  return ctx.stash.product;
}
