"""Work on a connection of its own, in a thread, while the caller goes on with its own connection.

One statement keeps one of the server's cores busy; the caller's next statement can use another.
psycopg2 lets other threads run while a statement executes, so a thread is enough to keep two
statements going. The work must not need the caller's transaction: it sees only what is committed.

Leaving the ``with`` block normally waits for the work and raises its error, if it had one;
leaving it on an error (Ctrl-C too) cancels the work's statement, and the work's ``stopped()`` says
so from then on — work of more than one statement asks it before each.

Example:
    with Beside(dsn, "partcost night-run", lambda conn, stopped: refresh_statistics(conn, tables)) as analyze:
        migrate_costs(conn)
        analyze.result()   # the tables it could not ANALYZE, or its error
"""

import threading
from collections.abc import Callable
from typing import Any

from partcost.db.connections import connection


class Beside:
    def __init__(self, dsn: str, application_name: str, work: Callable[[Any, Callable[[], bool]], Any]):
        """``work(conn, stopped)`` runs on the connection ``conn``, in a transaction committed after it."""
        self._dsn, self._name, self._work = dsn, application_name, work
        self._conn = None
        self._connected = False
        self._cancelled = threading.Event()
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=application_name, daemon=True)
        self._lock = threading.Lock()

    def __enter__(self) -> "Beside":
        self._thread.start()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.cancel()
        self._thread.join()

    def result(self, otherwise: Callable[[], Any] | None = None) -> Any:
        """Wait for the work; its value, or its error raised here. ``otherwise``: what to do instead,
        here, if the work never got its connection (a connection limit reached, say), so that work
        moved beside the caller's for speed never fails what one connection could do."""
        self._thread.join()
        if self._error is not None:
            if otherwise is not None and not self._connected:
                return otherwise()
            raise self._error
        return self._value

    def cancel(self) -> None:
        """Stop the work's running statement (and any it would start); its transaction rolls back."""
        with self._lock:
            self._cancelled.set()
            if self._conn is not None:
                self._conn.cancel()

    def _run(self) -> None:
        try:
            with connection(self._dsn, self._name) as conn:
                with self._lock:
                    self._connected = True
                    if self._cancelled.is_set():
                        return
                    self._conn = conn
                self._value = self._work(conn, self._cancelled.is_set)
                conn.commit()
        except BaseException as error:  # handed to the caller's thread by result()
            self._error = error
        finally:
            with self._lock:
                self._conn = None
