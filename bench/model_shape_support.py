"""A real-sized Argos ja→en package for benchmarks: Transformer-base shape, random weights.

Argos Translate's ja→en models are OpenNMT-py Transformer-base models converted to CTranslate2
(6 encoder + 6 decoder layers, d_model 512, 8 heads, FFN 2048, SentencePiece vocabularies of
~32k, int8 weights). :func:`build_base_argosmodel` writes an ``.argosmodel`` of that shape:

* the SentencePiece model is trained (unigram) on the sample episode's Japanese and the test
  lines, so Japanese splits into multi-character pieces as with a real model; the CTranslate2
  vocabularies are that model's pieces padded with filler pieces to ``vocab_size`` (the output
  projection and softmax over 32k entries are most of a decoding step's cost);
* every weight is random (normal, small): the model never predicts ``</s>``, so each sentence
  decodes to its length limit -- the worst case, where the engine's length cap decides the cost;
* saved with int8 weights (as Argos ships them) and zipped with ``metadata.json``, so it goes
  through the product's real install path.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "translator" / "samples" / "sample_episode.txt"


def japanese_sentences() -> list[str]:
    """Sentences of the sample episode (real Japanese lengths), speaker labels dropped."""
    text = SAMPLE.read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        line = re.sub(r"^[^\s:：]{1,8}[:：]\s*", "", line.strip())
        for sentence in re.findall(r"[^。！？!?]+[。！？!?]?", line):
            sentence = sentence.strip(" 　•")
            if len(sentence) >= 4 and not sentence.isascii():
                out.append(sentence)
    return out


def train_tokenizer(vocab_size: int = 4000) -> bytes:
    import sentencepiece as spm

    from tests.support.argos_model import SAMPLE_LINES

    lines = japanese_sentences() + list(SAMPLE_LINES)
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines * 4),
        model_writer=buf,
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        character_coverage=1.0,
        model_type="unigram",
        minloglevel=2,
    )
    return buf.getvalue()


def build_base_model(
    vocab: list[str],
    output_dir: Path,
    *,
    layers: int = 6,
    d_model: int = 512,
    heads: int = 8,
    ffn: int = 2048,
    seed: int = 0,
) -> int:
    """Save a random Transformer-base CTranslate2 model; returns its parameter count."""
    from ctranslate2.specs import transformer_spec

    rng = np.random.default_rng(seed)
    f32 = np.float32
    size = len(vocab)
    params = 0

    def rand(*shape: int) -> np.ndarray:
        nonlocal params
        params += int(np.prod(shape))
        return (rng.standard_normal(shape, dtype=f32) * 0.05).astype(f32)

    def linear(spec, out: int, inp: int) -> None:
        nonlocal params
        spec.weight = rand(out, inp)
        spec.bias = np.zeros((out,), f32)
        params += out

    def norm(spec) -> None:
        nonlocal params
        spec.gamma = np.ones((d_model,), f32)
        spec.beta = np.zeros((d_model,), f32)
        params += 2 * d_model

    spec = transformer_spec.TransformerSpec.from_config((layers, layers), heads)
    for stack in (spec.encoder, spec.decoder):
        stack.scale_embeddings = True
        norm(stack.layer_norm)  # sinusoidal position encodings (left unset)
        for layer in stack.layer:
            norm(layer.self_attention.layer_norm)
            linear(layer.self_attention.linear[0], 3 * d_model, d_model)
            linear(layer.self_attention.linear[1], d_model, d_model)
            norm(layer.ffn.layer_norm)
            linear(layer.ffn.linear_0, ffn, d_model)
            linear(layer.ffn.linear_1, d_model, ffn)
    for layer in spec.decoder.layer:
        norm(layer.attention.layer_norm)
        linear(layer.attention.linear[0], d_model, d_model)
        linear(layer.attention.linear[1], 2 * d_model, d_model)
        linear(layer.attention.linear[2], d_model, d_model)
    # One shared embedding matrix (OpenNMT's share_embeddings + share_decoder_embeddings, as
    # in Argos models): source and target embeddings and the output projection.
    shared = rand(size, d_model)
    spec.encoder.embeddings[0].weight = shared
    spec.decoder.embeddings.weight = shared
    spec.decoder.projection.weight = shared
    spec.decoder.projection.bias = np.zeros((size,), f32)
    params += size
    spec.register_source_vocabulary(list(vocab))
    spec.register_target_vocabulary(list(vocab))
    spec.config.add_source_eos = True
    spec.validate()
    spec.optimize(quantization="int8")
    output_dir.mkdir(parents=True, exist_ok=True)
    spec.save(str(output_dir))
    return params


def build_base_argosmodel(dest: Path, *, vocab_size: int = 32000) -> tuple[Path, int]:
    """Write a Transformer-base ``.argosmodel`` to ``dest``; returns (path, parameter count)."""
    import sentencepiece as spm

    proto = train_tokenizer()
    processor = spm.SentencePieceProcessor(model_proto=proto)
    vocab = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    vocab += [f"▁filler{i}" for i in range(vocab_size - len(vocab))]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "translate-ja_en-base-random"
        params = build_base_model(vocab, root / "model")
        (root / "sentencepiece.model").write_bytes(proto)
        metadata = {
            "package_version": "1.0",
            "argos_version": "1.11",
            "from_code": "ja",
            "from_name": "Japanese",
            "to_code": "en",
            "to_name": "English",
            "type": "translate",
        }
        (root / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
        dest.parent.mkdir(parents=True, exist_ok=True)
        # Stored, not deflated: random int8 weights do not compress, and zipping them would
        # only cost benchmark time. The install path reads either.
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_STORED) as archive:
            for path in sorted(root.rglob("*")):
                archive.write(path, path.relative_to(Path(tmp)).as_posix())
    return dest, params
