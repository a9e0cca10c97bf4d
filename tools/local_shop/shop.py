"""``LocalShop``: the local backend's parts put together, started and stopped as one."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tools.local_shop import resources
from tools.local_shop.functions import Functions, merged_environment
from tools.local_shop.gateway import Gateway
from tools.local_shop.identity import PREFIX, LocalIdentity, read_identity
from tools.local_shop.ingest import Ingest, read_ingest
from tools.local_shop.resources import ADMIN_EMAIL, ADMIN_PASSWORD, SHOPPER_EMAIL, SHOPPER_PASSWORD
from tools.local_shop.review import LocalReview, ReviewSpec
from tools.local_shop.server import ShopServer
from tools.local_shop.template import read_template
from tools.local_shop.tokens import TokenVerifier
from tools.sandbox.events import api_event

STOREFRONT_DIR = Path(__file__).resolve().parents[2] / "web" / "storefront"


class LocalShop:
    """The storefront and its backend on 127.0.0.1 (see the package docstring).

    :param web_template: the synthesized ``Web`` stack's template: the shop API and, when
        it has one, the storefront events' ingest API (``POST /records``; without it the
        page gets no ``ingestUrl`` and sends no usage events).
    :param endpoint: moto's endpoint (server mode); this process's boto3 (the handlers)
        must reach it too (``AWS_ENDPOINT_URL``).
    :param region: Default: ``"us-east-1"``.
    :param site_dir: the storefront's files. Default: ``web/storefront``.
    :param tables: tables that exist already (a deployed stage's), by the template's
        logical ids. Default: none; every table is created, with a fresh name.
    :param stream: the existing stream the ingest stand-in puts into. Default: a new one.
    :param overrides: values of the functions' variables that exist only once deployed;
        with ``TOKEN_SECRET_ARN`` (the live token's signing secret) the shop serves
        ``GET /live-token``. Default: none.
    :param live_url: the live-updates WebSocket URL the pages are given (``liveUrl``).
        Default: none (the dashboard says the stage has no live updates).
    :param review: run order review (``tools.local_shop.review``) when the template has
        it, with an administrator (:attr:`admin`) to answer it. Default: ``False``.
    :param api: serve the shop API (its handlers in this process, which sets their
        environment variables process-wide). ``False`` serves the site, sign-in and the
        ingest stand-in only, e.g. beside ``tools.local_live`` in one process.
        Default: ``True``.
    """

    def __init__(
        self,
        *,
        web_template: Mapping[str, Any],
        endpoint: str,
        region: str = "us-east-1",
        site_dir: Path = STOREFRONT_DIR,
        tables: Mapping[str, str] | None = None,
        stream: str | None = None,
        overrides: Mapping[str, str] | None = None,
        live_url: str | None = None,
        api: bool = True,
        review: bool = False,
    ) -> None:
        self.shop = read_template(web_template, overrides)
        self.ingest_spec = read_ingest(web_template)
        self.existing_tables = dict(tables or {})
        self.existing_stream = stream
        self.live_url = live_url
        self.api = api
        self.web_template = web_template
        self.admin = (ADMIN_EMAIL, ADMIN_PASSWORD)
        #: Order review on moto, once started (``review=True`` and a template with it).
        self.review: LocalReview | None = None
        self._review_wanted = review
        self.endpoint = endpoint.rstrip("/")
        self.region = region
        self.site_dir = site_dir
        self.shopper = (SHOPPER_EMAIL, SHOPPER_PASSWORD)
        #: Names of what it creates in moto start so: backends can share one emulator.
        self.name_prefix = f"local-{secrets.token_hex(3)}"
        self.tables: dict[str, str] = {}
        self.stream: str | None = None
        self._server: ShopServer | None = None
        self._functions: Functions | None = None
        self._gateway: Gateway | None = None
        self.identity_spec = read_identity(web_template)
        #: The identity pool's stand-in (``tools.local_shop.identity``), with the stream.
        self.identity: LocalIdentity | None = None

    @property
    def url(self) -> str:
        """The storefront's URL."""
        return f"http://127.0.0.1:{self._port}/"

    @property
    def api_url(self) -> str:
        """The shop API's stage URL (another origin than the storefront's)."""
        return f"http://localhost:{self._port}/{self.shop.stage_name}/"

    @property
    def ingest_url(self) -> str | None:
        return f"http://localhost:{self._port}/ingest/v1/" if self.ingest_spec else None

    @property
    def _port(self) -> int:
        assert self._server is not None, "start the LocalShop first"
        return self._server.port

    @property
    def gateway(self) -> Gateway:
        assert self._gateway is not None
        return self._gateway

    def table_of(self, handler_variable: str) -> str:
        """The local name of the table a handler finds in ``handler_variable``."""
        for environment in self.shop.environments.values():
            if handler_variable in environment:
                return self.tables[environment[handler_variable]]
        raise KeyError(handler_variable)

    def config(self) -> dict[str, Any]:
        """The storefront's ``config.json``: the deployed one's keys, local values."""
        found = {
            "apiUrl": self.api_url,
            "stage": "local",
            "region": self.region,
            "userPoolId": self.pool.pool_id,
            "userPoolClientId": self.pool.client_id,
            "cognitoEndpoint": f"{self.endpoint}/",
        }
        if self.ingest_url:
            found["ingestUrl"] = self.ingest_url
        if self.live_url:
            found["liveUrl"] = self.live_url
        if self.identity is not None:
            found.update(self.identity.page_config(f"http://localhost:{self._port}/"))
        return found

    def start(self) -> None:
        """Create the resources in moto, import the handlers, start serving."""
        self.pool = resources.create_user_pool(self.shop, self.endpoint, self.region)
        resources.create_shopper(self.pool, self.endpoint, self.region, *self.shopper)
        tokens = TokenVerifier(self.endpoint, self.region, self.pool.pool_id, self.pool.client_id)
        routes: dict[str, Any] = {}
        self._server = ShopServer(self.site_dir, self.config, routes, {})
        origin = self.url.rstrip("/")
        if self.api:
            self._start_api(tokens, origin, routes)
            if self._review_wanted and ReviewSpec.present(self.web_template):
                self._start_review()
        if self.ingest_spec is not None:
            self.stream = self.existing_stream or resources.create_stream(
                f"{self.name_prefix}-usage-events", self.endpoint, self.region
            )
            kinesis = resources.client("kinesis", self.endpoint, self.region)
            ingest = Ingest(self.ingest_spec, kinesis, self.stream, tokens, origin)
            routes["/ingest/v1/"] = lambda method, _path, _query, headers, body: ingest.handle(
                method, headers, body
            )
            if self.identity_spec is not None:
                self.identity = LocalIdentity(
                    self.identity_spec,
                    endpoint=self.endpoint,
                    region=self.region,
                    pool=self.pool,
                    tokens=tokens,
                    stream=self.stream,
                    origin=origin,
                )
                routes[PREFIX] = self.identity.handle
        live = f" {_origin_of(self.live_url)}" if self.live_url else ""
        connect = f"'self' http://localhost:{self._port} {self.endpoint}{live}"
        self._server.site_headers["Content-Security-Policy"] = (
            f"{self.shop.content_security_policy}; connect-src {connect}"
        )
        self._server.start()

    def _start_api(self, tokens: TokenVerifier, origin: str, routes: dict[str, Any]) -> None:
        self.tables = {
            **resources.create_tables(
                self.shop, self.endpoint, self.region, self.name_prefix, self.existing_tables
            ),
            **self.existing_tables,
        }
        environment = {
            name: self.tables.get(value, value).replace("{origin}", origin)
            for name, value in merged_environment(self.shop.environments.values()).items()
        }
        environment.update(AWS_ENDPOINT_URL=self.endpoint, AWS_DEFAULT_REGION=self.region)
        self._functions = Functions({r.handler for r in self.shop.routes}, environment)
        self._functions.start()
        self._gateway = Gateway(self.shop, self._functions, tokens, origin)
        routes[f"/{self.shop.stage_name}/"] = self._gateway.handle

    def _start_review(self) -> None:
        groups = sorted(
            str(r["Properties"]["GroupName"])
            for r in self.web_template["Resources"].values()
            if r["Type"] == "AWS::Cognito::UserPoolGroup"
        )
        resources.create_admin(self.pool, self.endpoint, self.region, *self.admin, groups)
        self.review = LocalReview(
            self.web_template,
            endpoint=self.endpoint,
            region=self.region,
            table=self.table_of("TABLE_NAME"),
            name_prefix=self.name_prefix,
        )
        self.review.start()

    def review_lines(self) -> list[str]:
        """What a person needs to review held orders here (none without review)."""
        if self.review is None:
            return []
        above = int(merged_environment(self.shop.environments.values())["REVIEW_ABOVE_CENTS"])
        email, password = self.admin
        return [
            f"orders over {above / 100:,.2f} wait for an admin ({email} / {password}); "
            "with the admin's ID token (valid for an hour), approve, reject or hold one:",
            f"  curl -X POST -H 'Authorization: {self.admin_id_token()}' "
            "-H 'Content-Type: application/json' -d '{\"decision\": \"approve\"}' "
            f"{self.api_url}orders/ORDER_ID/review",
        ]

    def admin_id_token(self) -> str:
        """The administrator's ID token (``review=True`` only)."""
        if self.review is None:
            raise RuntimeError("the administrator exists only while order review runs")
        return resources.sign_in(self.pool, self.endpoint, self.region, *self.admin)

    def id_token(self) -> str:
        """The shopper's ID token, signed in as the storefront does (password, then TOTP)."""
        email, password = self.shopper
        return resources.sign_in(self.pool, self.endpoint, self.region, email, password)

    def stop(self) -> None:
        if self.review is not None:
            self.review.stop()
            self.review = None
        if self._server is not None:
            self._server.stop()
        if self._functions is not None:
            self._functions.stop()

    def add_products(self, products: Iterable[Mapping[str, Any]]) -> None:
        """Create products with the product handler, as an administrator would."""
        route = next(r for r in self.shop.routes if (r.method, r.path) == ("POST", "/products"))
        assert self._functions is not None
        for product in products:
            event = api_event(
                "POST",
                "/products",
                body=dict(product),
                claims={"sub": "local-admin", "cognito:groups": "admin"},
            )
            answer = self._functions.invoke(route.handler, event)
            if answer["statusCode"] != 201:
                raise RuntimeError(f"could not create {product}: {answer}")


def _origin_of(url: str) -> str:
    """``ws://127.0.0.1:8001`` of ``ws://127.0.0.1:8001/dev``: what CSP's sources name."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@contextmanager
def running(**kwargs: Any) -> Iterator[LocalShop]:
    """A started :class:`LocalShop` (arguments as its), stopped on leaving."""
    shop = LocalShop(**kwargs)
    shop.start()
    try:
        yield shop
    finally:
        shop.stop()
