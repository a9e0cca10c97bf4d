// The storefront: hash routes over the shop API, a cart, sign-in and orders.
import { createApi } from "./api.js";
import { createAuth } from "./auth.js";
import { cart } from "./cart.js";
import { loadConfig } from "./config.js";
import { createUsage } from "./usage.js";
import { cartPage, el, orderPage, productList, productPage, signInPage } from "./views.js";

const view = document.getElementById("view");
const messageBox = document.getElementById("message");

/** Tell the person what went wrong (or right), in the page. */
function showMessage(text, kind = "error") {
  document.getElementById("message-text").textContent = text;
  messageBox.className = `message ${kind}`;
  messageBox.hidden = false;
}
const clearMessage = () => { messageBox.hidden = true; };
document.getElementById("message-close").addEventListener("click", clearMessage);

function render(node) {
  view.replaceChildren(node);
}

async function start() {
  let config;
  try {
    config = await loadConfig();
  } catch (error) {
    showMessage(`The shop is not configured: ${error.message}`);
    render(el("p", { class: "muted" }, "Unavailable."));
    return;
  }
  document.getElementById("stage").textContent = config.stage || "";
  const auth = createAuth(config);
  const api = createApi(config, auth);
  const usage = createUsage(config, auth);
  let askCode = false;
  let cursors = []; // cursors of the pages before the current one (null: the first page)
  let placing = false;

  const refreshHeader = () => {
    document.getElementById("cart-count").textContent = String(cart.count());
    const account = document.getElementById("account");
    const user = auth.username();
    account.replaceChildren(
      user
        ? el("span", {}, el("span", { id: "signed-in-as" }, user), " ",
            el("button", { type: "button", class: "link", id: "sign-out", onclick: () => { auth.signOut(); route(); } }, "Sign out"))
        : el("a", { href: "#/signin", id: "sign-in-link" }, "Sign in"),
    );
  };
  window.addEventListener("cart-changed", refreshHeader);
  auth.onChange(refreshHeader);

  async function showList(cursor) {
    const page = await api.listProducts({ limit: config.pageSize, cursor });
    render(
      productList({
        products: page.products,
        hasNext: Boolean(page.cursor),
        hasPrevious: cursors.length > 0,
        onNext: () => {
          cursors.push(cursor || null);
          location.hash = `#/?after=${encodeURIComponent(page.cursor)}`;
        },
        onPrevious: () => {
          const previous = cursors.pop();
          location.hash = previous ? `#/?after=${encodeURIComponent(previous)}` : "#/";
        },
      }),
    );
  }

  async function showProduct(sku) {
    const product = await api.getProduct(sku);
    usage.track("view", product.sku);
    render(
      productPage(product, (quantity) => {
        cart.add(product, quantity);
        usage.track("add_to_cart", product.sku);
        showMessage(`${quantity} × ${product.name} added to your cart.`, "info");
      }),
    );
  }

  async function placeOrder(button) {
    if (placing) return; // a second click while the first is under way places nothing
    placing = true;
    button.disabled = true;
    button.textContent = "Placing order…";
    try {
      const items = cart.lines().map((line) => ({ sku: line.sku, quantity: line.quantity }));
      const order = await api.placeOrder(items, cart.checkoutKey());
      cart.clear();
      clearMessage();
      location.hash = `#/orders/${encodeURIComponent(order.order_id)}`;
    } catch (error) {
      // No answer, a conflict on the key or a server error: the order may exist already.
      const unsure = !error.status || error.status === 409 || error.status >= 500;
      showMessage(
        unsure
          ? `Your order could not be confirmed: ${error.message} Try again: it will not be placed twice.`
          : `Your order was not placed: ${error.message}`,
      );
      button.disabled = false;
      button.textContent = "Place order";
    } finally {
      placing = false;
    }
  }

  function showCart() {
    render(
      cartPage({
        lines: cart.lines(),
        totalCents: cart.totalCents(),
        signedIn: Boolean(auth.username()),
        onRemove: (sku) => {
          cart.remove(sku);
          usage.track("remove_from_cart", sku);
          showCart();
        },
        onPlace: placeOrder,
      }),
    );
  }

  function showSignIn() {
    const busy = async (button, work) => {
      if (button) button.disabled = true;
      try {
        const result = await work();
        clearMessage();
        askCode = result.challenge === "mfa";
        if (askCode) showSignIn();
        else location.hash = cart.count() ? "#/cart" : "#/";
      } catch (error) {
        showMessage(`Signing in failed: ${error.message}`);
        if (button) button.disabled = false;
      }
    };
    render(
      signInPage({
        askCode,
        onSignIn: (email, password, button) => busy(button, () => auth.signIn(email, password)),
        onCode: (code, button) => busy(button, () => auth.answerMfa(code)),
      }),
    );
  }

  async function showOrder(orderId) {
    render(orderPage(await api.getOrder(orderId)));
  }

  async function route() {
    const [path, query = ""] = (location.hash.slice(1) || "/").split("?");
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    refreshHeader();
    try {
      if (parts[0] === "product" && parts[1]) await showProduct(parts[1]);
      else if (parts[0] === "cart") showCart();
      else if (parts[0] === "signin") showSignIn();
      else if (parts[0] === "orders" && parts[1]) await showOrder(parts[1]);
      else {
        const cursor = new URLSearchParams(query).get("after");
        if (!cursor) cursors = [];
        await showList(cursor);
      }
    } catch (error) {
      showMessage(error.message);
      if (error.status === 401 && parts[0] === "orders") render(el("p", {}, el("a", { href: "#/signin" }, "Sign in"), " to see your order."));
    }
  }

  window.addEventListener("hashchange", () => {
    if (!placing) clearMessage();
    if (!location.hash.startsWith("#/signin")) askCode = false;
    route();
  });
  await route();
}

start();
