"""A Datasette plugin (loaded with --plugins-dir): errors answered with their own status.

Datasette 0.65.5 prints every exception with `rich` when rich is installed, and rich 15 (in the lock,
through Great Expectations) refuses to print outside an `except` block, so a refused write (403) came
back as 500 Internal Server Error. Without rich, Datasette logs the error plainly and answers with the
status the error carries.
"""

import datasette.handle_exception

datasette.handle_exception.rich = None
