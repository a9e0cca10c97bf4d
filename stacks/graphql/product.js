// Query.product, a pipeline: getProduct, then productCounts; the product with its counts.
export function request(ctx) {
  ctx.stash.sku = ctx.args.sku;
  return {};
}

export function response(ctx) {
  return ctx.stash.product ? { ...ctx.stash.product, counts: ctx.prev.result } : null;
}
