"""Tagging datasets: passages with their labels, exported for annotation tools and imported back.

One :class:`LabelRecord` per passage, the same in every format (its JSON line)::

    {"id", "text", "meta": {doc_id, title, title_zh, title_en, region, country, year, date, doc_kind, lang,
    page, heading, kind}, "tags": [{"measure", "score", "source", "spans": [{"start", "end", "text"}]}],
    "annotations": [{"measure", "action", "annotator", "created_at"}], "options": [{"id", "text"}],
    "accept": [effective measures], "answer": "accept"}

``tags`` lists what each source said (``rule``/``model``/``classifier``/``ensemble`` machine tags with their
evidence spans, plus ``human`` for measures a person accepted or added, score 1.0); span offsets point into
``text``. ``accept`` is the *effective* label set - machine tags corrected by humans. Each format writes
those labels one way (JSONL ``accept``, CSV and parquet one 0/1 column per measure, ``hf`` ``labels`` as
``Sequence(ClassLabel)`` plus ``multi_hot``, spaCy ``doc.cats``), and :func:`import_labels` reads every
format back. ``options``/``accept``/``answer`` is Prodigy's ``textcat_multilabel`` shape; ``text`` + ``meta``
+ ``tags`` (as suggestions) map onto an Argilla record. ``docs/tagging.md`` shows an example of each format.

Modules, one concern each:

* ``records`` - :class:`LabelRecord` and :func:`iter_records` (passages of a store as records).
* ``effective`` - :func:`effective_tags`: machine tags with the latest human word applied.
* ``writers`` - :data:`WRITERS`, the export formats by name, each with its file suffix, writer and reader.
* ``readers`` - the readers of the flat formats, and :func:`~.readers.label_rows`: label columns to labels.
* ``arrow`` - the Arrow-backed readers: parquet, and :func:`~.arrow.arrow_table` for a dataset split.
* ``hf`` - the Hugging Face ``DatasetDict`` directory: features, dataset card, reading it back.
* ``splits`` - :class:`DocumentSplit`: train/validation/test grouped by document.
* ``export`` - :func:`export_dataset`: records through a writer into a file, renamed into place.
* ``importer`` - :func:`import_labels`: a label file back as human annotations (or a dry run).
* ``review`` - :func:`review_queue`: the passages most worth a human look.
* ``agreement`` - :func:`agreement`: Cohen's kappa between two annotators, or one and the model.
"""

from __future__ import annotations

from policyscope.nlp.labels.agreement import agreement
from policyscope.nlp.labels.effective import annotator_labels, effective_tags
from policyscope.nlp.labels.export import ExportReport, default_export_path, export_dataset
from policyscope.nlp.labels.importer import (
    ImportReport,
    LabelFile,
    LabelFileError,
    PassageChange,
    import_labels,
    read_label_file,
)
from policyscope.nlp.labels.records import (
    META_FIELDS,
    SOURCES,
    Annotation,
    LabelRecord,
    PassageMeta,
    iter_records,
)
from policyscope.nlp.labels.review import review_queue
from policyscope.nlp.labels.splits import SPLIT_NAMES, DocumentSplit
from policyscope.nlp.labels.writers import EXPORT_FORMATS, WRITERS, Writer, format_of, get_writer

__all__ = [
    "EXPORT_FORMATS",
    "META_FIELDS",
    "SOURCES",
    "SPLIT_NAMES",
    "WRITERS",
    "Annotation",
    "DocumentSplit",
    "ExportReport",
    "ImportReport",
    "LabelFile",
    "LabelFileError",
    "LabelRecord",
    "PassageChange",
    "PassageMeta",
    "Writer",
    "agreement",
    "annotator_labels",
    "default_export_path",
    "effective_tags",
    "export_dataset",
    "format_of",
    "get_writer",
    "import_labels",
    "iter_records",
    "read_label_file",
    "review_queue",
]
