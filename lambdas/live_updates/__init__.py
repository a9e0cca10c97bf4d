"""Live updates of the shop's usage counts over a WebSocket API: the routes' handler
(``app``), the ``$connect`` authorizer (``authorizer``) and the broadcaster
(``broadcaster``), with the connections table behind ``connections``."""
