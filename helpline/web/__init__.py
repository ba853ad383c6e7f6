"""The browser interface: server-rendered pages (Jinja2) with small hand-written scripts.

Pages call the same services as the REST API; live parts (offers, wallboard) use the API's WebSockets
and the page's session cookie. ``install_web`` mounts everything on the application.
"""
