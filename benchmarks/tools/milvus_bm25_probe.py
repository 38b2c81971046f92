"""Keyword search quality: Milvus's own BM25 function (jieba analyzer) against the project's BM25 sparse
vectors with concept scoring, on one workspace and the shared eval files (docs/scale.md).

    python benchmarks/tools/milvus_bm25_probe.py --home /tmp/X --queries ../shared/eval/search_dev.jsonl

Rows: the ``keyword`` mode of the Searcher (the project's tokenizer, concept scoring, translation), and
the engine's BM25 over the passages' keyword text searched with the query text alone and with the
query's dictionary translations appended (the cross-lingual expansion stays client-side either way).
The probe writes its own collection into a throwaway Lite file.
"""

from __future__ import annotations

import argparse
import tempfile
import warnings
from pathlib import Path

from policyscope.corpus.config import Settings
from policyscope.index.build import keyword_text
from policyscope.index.evaluate import is_relevant, load_queries, mean_metrics, query_metrics
from policyscope.index.search import Searcher


def engine_collection(client, rows) -> str:
    """A collection whose ``sparse`` field is Milvus's BM25 of ``text`` through the jieba analyzer."""
    from pymilvus import DataType, Function, FunctionType

    schema = client.create_schema(auto_id=False)
    schema.add_field("id", DataType.VARCHAR, max_length=128, is_primary=True)
    schema.add_field("text", DataType.VARCHAR, max_length=65535, enable_analyzer=True,
                     analyzer_params={"tokenizer": "jieba"})
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"],
                                 output_field_names=["sparse"]))
    params = client.prepare_index_params()
    params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    client.create_collection("probe", schema=schema, index_params=params)
    for start in range(0, len(rows), 1000):
        client.insert("probe", [{"id": r.id, "text": keyword_text(r)[:20000]} for r in rows[start:start + 1000]])
    return "probe"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--queries", type=Path, action="append", required=True)
    args = ap.parse_args()
    warnings.simplefilter("ignore", UserWarning)
    from pymilvus import MilvusClient

    settings = Settings.load(args.home)
    searcher = Searcher(settings)
    rows = list(searcher.store.passage_rows())
    text_of = {r.id: r.text for r in rows}
    client = MilvusClient(str(Path(tempfile.mkdtemp()) / "probe.db"))
    name = engine_collection(client, rows)
    for path in args.queries:
        queries = load_queries(path)
        results: dict[str, list[dict[str, float]]] = {"project BM25 + concepts (keyword mode)": [],
                                                      "engine BM25, query text": [],
                                                      "engine BM25, query + translations": []}
        for q in queries:
            hits = searcher.search(q.query, k=10, mode="keyword").hits
            results["project BM25 + concepts (keyword mode)"].append(
                query_metrics([is_relevant(h.text, q.relevant) for h in hits]))
            analysis = searcher.query_analysis(q.query)
            for label, text in (("engine BM25, query text", q.query),
                                ("engine BM25, query + translations", " ".join([q.query, *analysis.translated]))):
                found = client.search(name, data=[text], anns_field="sparse", limit=10,
                                      search_params={"metric_type": "BM25"}, output_fields=[])
                results[label].append(query_metrics([is_relevant(text_of[h["id"]], q.relevant) for h in found[0]]))
        print(f"{path.name} ({len(queries)} queries, {len(rows)} passages)")
        for label, rows_ in results.items():
            m = mean_metrics(rows_)
            print(f"  {label:42s} MRR@10 {m['MRR@10']:.3f}  R@10 {m['R@10']:.3f}")


if __name__ == "__main__":
    main()
