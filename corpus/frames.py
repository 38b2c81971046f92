"""Tables for notebooks: every result type's ``to_pandas()`` goes through :func:`to_frame`.

pandas is not a dependency of the default install (the web app's extra brings it); it is imported
only when a table is asked for, and its absence is one line with the install command.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


def to_frame(rows: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A DataFrame of ``rows`` (with ``columns`` in this order, even when there are no rows).

    Raises:
        ImportError: pandas is not installed; the message says how to install it.
    """
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("to_pandas() needs pandas; install it with: pip install pandas") from None
    return pd.DataFrame(list(rows), columns=list(columns) if columns else None)
