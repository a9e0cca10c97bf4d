// Mutation.updateProduct (admins: the schema's cognito_groups): set the price and/or the
// stock of an existing product; its result is what onProductChanged subscribers receive.
import { util } from "@aws-appsync/utils";

const MAX_PRICE_CENTS = 10000000;

export function request(ctx) {
  const { sku, price_cents: price, stock } = ctx.args;
  const names = {};
  const values = {};
  const sets = [];
  if (price !== undefined && price !== null) {
    if (price < 1 || price > MAX_PRICE_CENTS) {
      util.error(`price_cents must be 1 to ${MAX_PRICE_CENTS}, got ${price}`, "BadRequest");
    }
    names["#price"] = "price_cents";
    values[":price"] = price;
    sets.push("#price = :price");
  }
  if (stock !== undefined && stock !== null) {
    if (stock < 0) {
      util.error(`stock must be 0 or more, got ${stock}`, "BadRequest");
    }
    names["#stock"] = "stock";
    values[":stock"] = stock;
    sets.push("#stock = :stock");
  }
  if (sets.length === 0) {
    util.error("give price_cents or stock", "BadRequest");
  }
  names["#updated"] = "updated_at";
  values[":updated"] = util.time.nowISO8601();
  sets.push("#updated = :updated");
  return {
    operation: "UpdateItem",
    key: util.dynamodb.toMapValues({ pk: "PRODUCT", sk: sku }),
    update: {
      expression: `SET ${sets.join(", ")}`,
      expressionNames: names,
      expressionValues: util.dynamodb.toMapValues(values),
    },
    condition: { expression: "attribute_exists(sk)" },
  };
}

export function response(ctx) {
  if (ctx.error) {
    if (ctx.error.type === "DynamoDB:ConditionalCheckFailedException") {
      util.error(`no product ${ctx.args.sku}`, "NotFound");
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  const { pk, sk, ...fields } = ctx.result;
  return { ...fields, sku: sk };
}
