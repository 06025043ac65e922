"""A Datasette plugin (loaded with --plugins-dir): every request that is not a read is refused with
405 Method Not Allowed before Datasette sees it.

The file is opened immutable (`-i`), so SQLite itself cannot write it; this answers a POST, PUT, PATCH or
DELETE plainly (Datasette 0.65.5 answers a POST to a table with an internal error) and keeps the server
read-only even if a plugin that writes were ever installed. Nothing the explorer offers needs a write:
the canned queries are SELECTs, run by GET.
"""

from datasette import hookimpl

READS = {"GET", "HEAD", "OPTIONS"}


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def read_only(scope, receive, send):
            if scope["type"] == "http" and scope["method"] not in READS:
                body = b"This database is served read-only: only GET requests are answered.\n"
                await send(
                    {
                        "type": "http.response.start",
                        "status": 405,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"allow", b"GET, HEAD")],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
            await app(scope, receive, send)

        return read_only

    return wrap
