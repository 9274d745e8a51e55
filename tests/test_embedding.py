"""The real embedding model, its cache and the index's vectors."""

import numpy as np
import pytest

from index import embedding
from index.embedding import VectorCache, embed_passages, embedder


def test_the_model_ties_a_question_to_its_answer_in_swedish_and_across_languages():
    e = embedder()
    answer = "Regionen ska rapportera risk- och sårbarhetsanalysen vart fjärde år."
    other = "Kansliet faktureras regionerna efter befolkningsunderlag."
    p = e.passages([answer, other])
    assert p.shape == (2, embedding.DIM)
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-3)
    for question in ("Hur ofta ska RSA rapporteras?", "How often is the risk analysis reported?"):
        q = e.query(question)
        assert p[0] @ q > p[1] @ q, question


def test_cached_vectors_are_not_computed_again(tmp_path, monkeypatch):
    cache = VectorCache(tmp_path / "v.sqlite3")
    texts = ["Första meningen.", "Andra meningen.", "Första meningen."]
    first = embed_passages(texts, cache)
    assert np.allclose(first[0], first[2])

    def no_model(*_a, **_k):
        raise AssertionError("the model was asked again")

    monkeypatch.setattr(embedding.Embedder, "passages", no_model)
    again = embed_passages(texts, cache)
    assert np.array_equal(first, again)
    cache.close()


def test_a_second_process_embeds_exactly_as_this_one(monkeypatch):
    texts = [f"Mening nummer {i} om beredskap och övning." for i in range(12)]
    alone = embed_passages(texts)
    monkeypatch.setenv("EMBEDDING_WORKERS", "2")
    monkeypatch.setattr(embedding, "PARALLEL_FROM", 4)
    shared = embed_passages(texts)
    assert np.allclose(alone, shared, atol=1e-5)


def test_an_unusable_cache_is_only_slower(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = VectorCache(blocker / "v.sqlite3")  # its folder cannot be made
    assert embed_passages(["En mening."], cache).shape == (1, embedding.DIM)


def test_every_indexed_text_has_vectors_for_its_sentences(assistant):
    s = assistant.searcher
    assert s.unit_vectors.shape == (len(s.unit_doc), embedding.DIM)
    assert set(s.unit_doc.tolist()) == set(range(s.passages))  # no text without a vector
    assert s.model == embedding.model_name()


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("How often must the risk and vulnerability analysis be reported?", "Viktiga datum"),
        ("Vad gäller för utbildning och övning av personal?", "Utbildning och övning"),
    ],
)
def test_dense_retrieval_finds_the_section_in_other_words(assistant, question, section):
    s = assistant.searcher
    dense = s.dense(embedder().query(question))
    assert dense.closest(10) == np.argsort(-dense.best, kind="stable")[:10].tolist()
    assert any(section in s.stored(d)["section"] for d in dense.closest(10)), question
