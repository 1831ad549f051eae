"""Where the project-local PostgreSQL listens: the database of `local` when DATABASE_URL is unset.

`tools/local_database.py` (a dev-only tool) starts that server with its data in
`.postgres/`, found from the project root as `.env` is. The app only reads
where the server listens; it never starts one, and never reaches for a server
on localhost:5432 that the project did not start.
"""

from pathlib import Path
from urllib.parse import urlencode

from pydantic import PostgresDsn

LOCAL_DATA_DIR = Path(".postgres")
LOCAL_DATABASE = "{{ cookiecutter.package_name }}"


def local_database_url(
    data_dir: Path = LOCAL_DATA_DIR, database: str = LOCAL_DATABASE
) -> PostgresDsn:
    """`database` on the server whose data is in `data_dir`, on its Unix socket.

    The socket's folder is line 5 of the running server's `postmaster.pid`: the
    data folder, unless that path is too long for a socket. asyncpg takes it from
    `?host=`; the URL still names `localhost` because `PostgresDsn` needs a host.
    """
    data = data_dir.resolve()
    try:
        socket_dir = (data / "postmaster.pid").read_text(encoding="utf-8").splitlines()[4]
    except (OSError, IndexError):
        socket_dir = str(data)
    query = urlencode({"host": socket_dir})
    return PostgresDsn(f"postgresql+asyncpg://postgres@localhost/{database}?{query}")
