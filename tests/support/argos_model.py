"""Build REAL tiny ``.argosmodel`` files on the fly (a few hundred ms, no network).

* A SentencePiece model trained on a few dozen Japanese + English lines (one piece per kana/kanji,
  small vocabulary).
* A one-layer CTranslate2 Transformer from ``ctranslate2.specs`` with hand-set weights that COPY
  the input: hidden size = 2 x vocab + positions; token one-hots in the first block, learned
  one-hot positions in the second. Encoder and decoder sublayers are zeroed (residual only); the
  decoder cross-attention's queries/keys are the position one-hots (so step t attends source
  position t) and its values are the token one-hots, written into the third block, which the
  output projection reads. The source gets ``</s>`` appended (``add_source_eos``), so the copy ends;
  ``</s>`` carries a heavy value so that beams running past the source end there too.
  Every input has exactly two ones, so the layer norms are fixed affine maps and cancel out.
* ``token_map`` makes a variant whose output replaces some pieces (e.g. ``猫`` → ``cat``): a
  second model with different behaviour, for reinstall tests.
* Zipped with ``metadata.json`` into ``<name>.argosmodel`` (one top-level folder).
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

SAMPLE_LINES = [
    "今日はいい天気ですね。",
    "永野さん、こんにちは。",
    "そうですね、本当にそう思います。",
    "猫が好きです。犬も好きです。",
    "はい。",
    "えっと、それはちょっと難しいかもしれません。",
    "ポッドキャストを始めたのは去年の春でした。",
    "澤さんはどう思いますか？",
    "音楽と映画の話をしましょう。",
    "ありがとうございました！",
    "東京から大阪まで新幹線で行きました。",
    "なるほど、面白いですね。",
    "Hello world, this is a test.",
    "The cat sat on the mat.",
    "Nagano and Sawa talk about music.",
    "Thank you very much.",
]

MAX_POSITIONS = 260  # >= CTranslate2's default max_decoding_length (256) + 1


def train_sentencepiece(
    lines: Sequence[str] = SAMPLE_LINES, *, user_symbols: Sequence[str] = ()
) -> bytes:
    """A small SentencePiece model (bytes) covering every character of ``lines``."""
    import sentencepiece as spm

    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(lines) * 3),
        model_writer=buf,
        vocab_size=160,
        hard_vocab_limit=False,
        character_coverage=1.0,
        model_type="char",
        user_defined_symbols=list(user_symbols),
        minloglevel=2,
    )
    return buf.getvalue()


def build_copy_model(
    vocab: Sequence[str], output_dir: Path, *, token_map: Mapping[str, str] | None = None
) -> None:
    """Save a CTranslate2 copy Transformer for ``vocab`` into ``output_dir``."""
    from ctranslate2.specs import transformer_spec

    f32 = np.float32
    size = len(vocab)
    index = {piece: i for i, piece in enumerate(vocab)}
    positions = MAX_POSITIONS
    d_model = 2 * size + positions
    d_model += (-d_model) % 8
    ffn = 8
    copy0 = size + positions  # first dim of the copied-token block

    def linear(spec, out: int, inp: int, weight=None) -> None:
        spec.weight = np.zeros((out, inp), f32) if weight is None else weight.astype(f32)
        spec.bias = np.zeros((out,), f32)

    def norm(spec) -> None:
        spec.gamma = np.ones((d_model,), f32)
        spec.beta = np.zeros((d_model,), f32)

    def zero_block(layer) -> None:
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * d_model, d_model)
        linear(layer.self_attention.linear[1], d_model, d_model)
        norm(layer.ffn.layer_norm)
        linear(layer.ffn.linear_0, ffn, d_model)
        linear(layer.ffn.linear_1, d_model, ffn)

    embeddings = np.zeros((size, d_model), f32)
    embeddings[np.arange(size), np.arange(size)] = 1
    encodings = np.zeros((positions, d_model), f32)
    encodings[np.arange(positions), size + np.arange(positions)] = 1

    spec = transformer_spec.TransformerSpec.from_config(1, 1)
    for stack in (spec.encoder, spec.decoder):
        stack.scale_embeddings = False
        stack.position_encodings.encodings = encodings.copy()
        norm(stack.layer_norm)
        for layer in stack.layer:
            zero_block(layer)
    spec.encoder.embeddings[0].weight = embeddings.copy()
    spec.decoder.embeddings.weight = embeddings.copy()

    sharp = 3.0  # query/key scale: makes the cross-attention one-hot
    pos = size + np.arange(positions)
    for layer in spec.decoder.layer:
        attention = layer.attention
        norm(attention.layer_norm)
        query = np.zeros((d_model, d_model))
        query[pos, pos] = sharp
        linear(attention.linear[0], d_model, d_model, query)
        key_value = np.zeros((2 * d_model, d_model))
        key_value[pos, pos] = sharp
        key_value[d_model + copy0 + np.arange(size), np.arange(size)] = 1
        # Past the end of the source the attention is spread evenly; a heavy </s> value then
        # wins, so every beam ends right after the copy instead of running to the length limit.
        eos = index["</s>"]
        key_value[d_model + copy0 + eos, eos] = 50
        linear(attention.linear[1], 2 * d_model, d_model, key_value)
        out = np.zeros((d_model, d_model))
        out[copy0 + np.arange(size), copy0 + np.arange(size)] = 1
        linear(attention.linear[2], d_model, d_model, out)

    projection = np.zeros((size, d_model))
    targets = np.arange(size)
    for source, target in (token_map or {}).items():
        targets[index[source]] = index[target]
    projection[targets, copy0 + np.arange(size)] = 20.0
    linear(spec.decoder.projection, size, d_model, projection)

    spec.register_source_vocabulary(list(vocab))
    spec.register_target_vocabulary(list(vocab))
    spec.config.add_source_eos = True
    spec.validate()
    spec.optimize(quantization=None)
    output_dir.mkdir(parents=True, exist_ok=True)
    spec.save(str(output_dir))


def build_argosmodel(
    dest: Path,
    *,
    package_version: str = "1.0",
    token_map: Mapping[str, str] | None = None,
    folder: str = "translate-ja_en-test",
    from_code: str = "ja",
    to_code: str = "en",
    lines: Sequence[str] = SAMPLE_LINES,
) -> Path:
    """Write a working ``.argosmodel`` to ``dest`` (a file path) and return it."""
    import sentencepiece as spm

    mapping = dict(token_map or {})
    symbols = [s for s in {*mapping, *mapping.values()} if len(s) > 1]
    proto = train_sentencepiece(lines, user_symbols=sorted(symbols))
    processor = spm.SentencePieceProcessor(model_proto=proto)
    vocab = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / folder
        build_copy_model(vocab, root / "model", token_map=mapping)
        (root / "sentencepiece.model").write_bytes(proto)
        metadata = {
            "package_version": package_version,
            "argos_version": "1.11",
            "from_code": from_code,
            "from_name": "Japanese",
            "to_code": to_code,
            "to_name": "English",
            "type": "translate",
        }
        (root / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
        (root / "README.md").write_text("Tiny copy model for tests.\n", encoding="utf-8")
        dest.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(root.rglob("*")):
                archive.write(path, path.relative_to(Path(tmp)).as_posix())
    return dest


def rezip_without(source: Path, dest: Path, *, drop: str) -> Path:
    """Copy of the archive ``source`` without members whose name ends with ``drop``."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(dest, "w") as out:
        for item in src.infolist():
            if not item.filename.endswith(drop):
                out.writestr(item, src.read(item.filename))
    return dest


def truncated_copy(source: Path, dest: Path, *, keep_fraction: float = 0.5) -> Path:
    """A copy of ``source`` cut short (a download that stopped half-way)."""
    data = source.read_bytes()
    dest.write_bytes(data[: int(len(data) * keep_fraction)])
    return dest


def corrupt_copy(source: Path, dest: Path) -> Path:
    """A copy of ``source`` with bytes flipped in the middle (bad CRC, zip directory intact)."""
    shutil.copyfile(source, dest)
    data = bytearray(dest.read_bytes())
    middle = len(data) // 3
    for i in range(middle, middle + 64):
        data[i] ^= 0xFF
    dest.write_bytes(bytes(data))
    return dest
