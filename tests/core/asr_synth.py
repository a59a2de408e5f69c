"""Synthesise rough "speech recognition" captions from a transcript with known times.

Used by tests/core/test_align.py and bench/bench_align.py. Deterministic for a given seed.

- :data:`TRANSCRIPT_CHUNKS`: a small natural Japanese podcast transcript, one cue per chunk.
- :func:`timed_truth`: give chunks true times (speech rate with pauses; longer pauses after a
  sentence end) that already satisfy the timing rules.
- :func:`synthesise_captions`: turn the timed truth into ASR-like captions: punctuation gone,
  characters dropped and substituted (similar kana, random kanji, kanji read out as kana, script
  swaps), fillers inserted with time, stretches omitted, lines re-split at 10-25 characters (at
  long pauses more often than not, like a recogniser), optional ASR punctuation and spaces,
  optional YouTube rolling duplication and inline ``<00:00:01.000><c>`` word timestamps.
- :func:`generate_chunks`: a long non-repeating pseudo-natural transcript (for the benchmark).
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field

from translator.core.timing_rules import apply_timing_rules
from translator.core.types import TimedLine

TRANSCRIPT_CHUNKS: tuple[str, ...] = (
    "はい、皆さんこんにちは。",
    "今週もコーヒーと仕事の話をお届けします。",
    "今日はゲストに、焙煎士の山田さんをお迎えしています。",
    "山田さん、よろしくお願いします。",
    "よろしくお願いします。呼んでいただいて嬉しいです。",
    "まず簡単に自己紹介をお願いできますか。",
    "はい、京都で小さな焙煎所をやっている山田と申します。",
    "もともとは東京でエンジニアをしていました。",
    "エンジニアから焙煎士というのは、",
    "珍しい転身ですよね。",
    "そうですね、よく聞かれます。",
    "きっかけは、在宅勤務が始まった頃なんです。",
    "家で仕事をしていると、",
    "一日に何杯も飲むじゃないですか。",
    "ああ、わかります。私も朝から晩まで飲んでます。",
    "それで豆を自分で煎ってみたら、これが面白くて。",
    "最初はフライパンで煎っていたんですよ。",
    "フライパンですか。煙がすごそうですね。",
    "火災報知器が鳴って、大家さんに怒られました。",
    "それは大変でしたね。",
    "そこから小さな焙煎機を買って、",
    "週末ごとにいろいろ試しました。",
    "焙煎機は中古で見つけたんですが、",
    "修理するのに半年くらいかかりました。",
    "温度と時間を記録して、表計算ソフトで管理して。",
    "そのあたりはエンジニアらしいですね。",
    "ログを取らないと落ち着かない性格なんです。",
    "豆の産地によって、焼き方は変わるんですか。",
    "全然違います。エチオピアの豆は浅めが合います。",
    "花のような香りが出て、",
    "酸味がきれいに残るんです。",
    "逆にブラジルやインドネシアは、",
    "深めに焼くことが多いです。",
    "深煎りだと苦味が増えるイメージがありますが。",
    "苦味だけじゃなくて、甘さやコクも出てきます。",
    "チョコレートみたいな風味になることもありますね。",
    "なるほど。お店を開いたのはいつ頃ですか。",
    "三年前の春です。会社を辞めて、思い切りました。",
    "不安はなかったですか。",
    "もちろんありました。貯金も多くはなかったので。",
    "でも、やらずに後悔するよりはいいかなと。",
    "最初のお客さんは、前の職場の同僚でした。",
    "オンラインで注文を受けて、郵送していたんです。",
    "SNSで少しずつ広まっていきました。",
    "リモートワークの人が多かったので、",
    "需要があったんですね。",
    "そうなんです。在宅で良い豆を飲みたいという声が多くて。",
    "今ではお店に来てくださる方も増えました。",
    "ちなみに、山田さんご自身は",
    "一日に何杯くらい飲むんですか。",
    "試飲も含めると、たぶん十杯以上は",
    "飲んでいると思います。",
    "飲みすぎじゃないですか、それ。",
    "よく言われます。でも夜は控えるようにしています。",
    "ここで少し、リスナーからの質問を紹介します。",
    "家でおいしく淹れるコツを教えてください、",
    "という質問です。",
    "一番大事なのは、豆を挽くタイミングだと思います。",
    "淹れる直前に挽くだけで、香りがまったく変わります。",
    "手動のミルでも十分ですか。",
    "十分です。安いものでも、挽きたてには勝てません。",
    "それから、お湯の温度も気にしてほしいですね。",
    "沸騰したてだと熱すぎるので、",
    "少し待ってから注ぎます。",
    "九十度くらいが目安でしょうか。",
    "浅煎りなら高め、深煎りなら少し低めがおすすめです。",
    "水はどうですか。水道水でも大丈夫でしょうか。",
    "日本の水道水は軟水なので、",
    "基本的には問題ありません。",
    "気になるなら、浄水器を通すと雑味が減ります。",
    "意外と簡単にできることが多いんですね。",
    "そうなんです。難しく考えすぎないことが大切です。",
    "最後に、これから挑戦したいことを聞かせてください。",
    "産地に行って、農家の方と直接話してみたいです。",
    "どんな人がどんな思いで育てているのかを知りたくて。",
    "それをお客さんにも伝えられたら、と思っています。",
    "素敵ですね。ぜひ実現してください。",
    "ありがとうございます。頑張ります。",
    "今日は山田さんにお話を伺いました。",
    "お店の情報は、番組のページに載せておきます。",
    "感想や質問は、ハッシュタグをつけて投稿してください。",
    "それでは、また来週お会いしましょう。",
    "ありがとうございました。",
)

FILLERS = ("えー", "あの", "まあ", "えっと", "うーん")
# Kana an ASR easily confuses (similar sound or particle spelling).
_SIMILAR_KANA = {
    "は": "わ",
    "わ": "は",
    "を": "お",
    "お": "う",
    "う": "お",
    "へ": "え",
    "え": "い",
    "い": "え",
    "じ": "ぢ",
    "ず": "づ",
    "か": "が",
    "が": "か",
    "た": "だ",
    "だ": "た",
    "し": "じ",
    "つ": "す",
    "ん": "む",
    "っ": "つ",
    "ょ": "よ",
    "ゃ": "や",
    "て": "で",
    "で": "て",
}
_RANDOM_KANJI = "一二三人日大年中会出本見行生分気方事時上下国長手前後地場合者心"
_RANDOM_KANA = (
    "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわん"
)


def _is_spoken(ch: str) -> bool:
    """Characters that take speaking time (not punctuation, symbols or spaces)."""
    return unicodedata.category(ch)[0] in "LN"


@dataclass
class TruthCue:
    text: str
    start_ms: int
    end_ms: int
    # (start, end) of each spoken character, in order (punctuation and spaces take no time).
    char_ms: list[tuple[float, float]] = field(default_factory=list)


_SENTENCE_MARKS = "。？！?!"
_SMALL = "ぁぃぅぇぉゃゅょゎァィゥェォャュョヮ"


def _morae(c: str, rng: random.Random) -> float:
    """Random speaking length of one character, in morae."""
    if c in _SMALL:
        return rng.uniform(0.3, 0.6)
    if c.isascii():
        return rng.uniform(1.0, 1.8)
    if "\u4e00" <= c <= "\u9fff":
        return rng.uniform(1.4, 2.2)
    return rng.uniform(0.85, 1.15)


_CLAUSE_MARKS = "、,"


def timed_truth(
    chunks: tuple[str, ...] | list[str],
    *,
    seed: int = 0,
    start_ms: int = 1500,
    morae_per_s: tuple[float, float] = (6.5, 9.0),
) -> list[TruthCue]:
    """True times for each chunk: speech at a random rate per chunk (a kanji takes 1.4-2.2
    morae, a small kana 0.3-0.6, a Latin letter 1-1.8, other kana about one), a pause after each 。
    (300-900 ms) and 、 (80-250 ms) inside a chunk, and between chunks a pause of 300-1000 ms
    after a sentence end, else 100-300 ms.

    ``char_ms`` is when each character is spoken. A cue's ``start_ms``/``end_ms`` is what a
    perfect subtitler shows: the spoken span passed through the default timing rules (a short
    reply like はい is spoken in a few hundred ms but shown for at least 5/6 s, as far as the
    next cue allows)."""
    rng = random.Random(seed)
    spoken_spans: list[tuple[int, int]] = []
    all_chars: list[list[tuple[float, float]]] = []
    t = float(start_ms)
    for text in chunks:
        rate_ms = 1000 / rng.uniform(*morae_per_s)
        spoken = [c for c in text if _is_spoken(c)]
        morae = [_morae(c, rng) for c in spoken]
        char_ms: list[tuple[float, float]] = []
        cur = t
        pending_pause = 0.0
        for c in text.rstrip():
            if _is_spoken(c):
                cur += pending_pause
                pending_pause = 0.0
                dur = morae[len(char_ms)] * rate_ms
                char_ms.append((cur, cur + dur))
                cur += dur
            elif c in _SENTENCE_MARKS and char_ms:
                pending_pause = rng.uniform(300, 900)
            elif c in _CLAUSE_MARKS and char_ms:
                pending_pause = max(pending_pause, rng.uniform(80, 250))
        if not char_ms:
            char_ms = [(t, t + 300)]
        end = min(char_ms[-1][1], t + 6900)
        spoken_spans.append((int(round(t)), int(round(end))))
        all_chars.append(char_ms)
        sentence_end = text.rstrip()[-1:] in _SENTENCE_MARKS
        t = end + (rng.uniform(300, 1000) if sentence_end else rng.uniform(100, 300))
    shown = apply_timing_rules(spoken_spans)
    return [
        TruthCue(text, start, end, chars)
        for text, (start, end), chars in zip(chunks, shown, all_chars, strict=True)
    ]


@dataclass(frozen=True)
class Damage:
    """How rough the recognition output is. Rates are per spoken character unless noted."""

    substitute: float = 0.07
    drop: float = 0.03
    script_swap: float = 0.05  # hiragana <-> katakana (normalisation should undo it)
    kanji_as_kana: float = 0.03  # a kanji written as two kana (its "reading")
    filler: float = 0.15  # per cue boundary: a filler with its own time
    omit: float = 0.0  # share of characters removed in stretches of 5-30 (not recognised)
    asr_punctuation: float = 0.3  # per line: a 、 or space inserted somewhere
    line_chars: tuple[int, int] = (10, 25)
    split_at_pause: float = 0.9  # chance a line ends at a pause of 400 ms or more
    rolling: bool = False  # YouTube-style: each event repeats the previous line
    inline_timestamps: bool = False  # YouTube word times: <00:00:01.000><c>...</c>


def _ms_to_vtt(ms: float) -> str:
    ms = int(ms)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, msec = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{msec:03d}"


def _spoken_stream(truth: list[TruthCue]) -> list[tuple[str, float, float, int]]:
    """(char, start, end, cue index) for every spoken character."""
    stream = []
    for ci, cue in enumerate(truth):
        chars = [c for c in cue.text if _is_spoken(c)]
        for c, (s, e) in zip(chars, cue.char_ms, strict=False):
            stream.append((c, s, e, ci))
    return stream


def _to_katakana(c: str) -> str:
    code = ord(c)
    return chr(code + 0x60) if 0x3041 <= code <= 0x3096 else c


def _to_hiragana(c: str) -> str:
    code = ord(c)
    return chr(code - 0x60) if 0x30A1 <= code <= 0x30F6 else c


def _damage_stream(
    stream: list[tuple[str, float, float, int]], damage: Damage, rng: random.Random
) -> list[tuple[str, float, float]]:
    n = len(stream)
    omitted = [False] * n
    target = int(damage.omit * n)
    count = 0
    while count < target:
        length = rng.randint(5, 30)
        at = rng.randrange(n)
        for i in range(at, min(n, at + length)):
            if not omitted[i]:
                omitted[i] = True
                count += 1

    out: list[tuple[str, float, float]] = []
    prev_cue = -1
    prev_end = 0.0
    for i, (c, s, e, ci) in enumerate(stream):
        if ci != prev_cue and prev_cue >= 0 and rng.random() < damage.filler:
            filler = rng.choice(FILLERS)
            pause = s - prev_end
            if pause >= 250:  # said in the pause
                f_s, f_e = prev_end + pause * 0.25, s - pause * 0.25
            else:  # squeezed in: takes the start of this character's time
                f_s, f_e = s, s + (e - s) / 2
                s = f_e
            step = (f_e - f_s) / len(filler)
            out.extend((fc, f_s + k * step, f_s + (k + 1) * step) for k, fc in enumerate(filler))
        prev_cue, prev_end = ci, e
        if omitted[i]:
            continue
        roll = rng.random()
        if roll < damage.drop:
            continue
        roll -= damage.drop
        if roll < damage.substitute:
            if c in _SIMILAR_KANA and rng.random() < 0.6:
                c = _SIMILAR_KANA[c]
            elif "\u4e00" <= c <= "\u9fff":
                c = rng.choice(_RANDOM_KANJI)
            else:
                c = rng.choice(_RANDOM_KANA)
            out.append((c, s, e))
            continue
        roll -= damage.substitute
        if roll < damage.kanji_as_kana and "\u4e00" <= c <= "\u9fff":
            mid = (s + e) / 2
            out.append((rng.choice(_RANDOM_KANA), s, mid))
            out.append((rng.choice(_RANDOM_KANA), mid, e))
            continue
        roll -= damage.kanji_as_kana
        if roll < damage.script_swap:
            c = _to_katakana(c) if "\u3041" <= c <= "\u3096" else _to_hiragana(c)
        out.append((c, s, e))
    return out


def _split_lines(
    chars: list[tuple[str, float, float]], damage: Damage, rng: random.Random
) -> list[list[tuple[str, float, float]]]:
    """Re-split into recogniser lines: a random length in ``line_chars``, or earlier at a long
    pause (usually), never aligned with the transcript's cues on purpose."""
    lines: list[list[tuple[str, float, float]]] = []
    cur: list[tuple[str, float, float]] = []
    want = rng.randint(*damage.line_chars)
    for k, item in enumerate(chars):
        cur.append(item)
        nxt = chars[k + 1] if k + 1 < len(chars) else None
        pause = nxt[1] - item[2] if nxt else 0
        if (
            nxt is None
            or len(cur) >= want
            or (pause >= 400 and len(cur) >= 4 and rng.random() < damage.split_at_pause)
        ):
            lines.append(cur)
            cur = []
            want = rng.randint(*damage.line_chars)
    return lines


def _line_text(
    line: list[tuple[str, float, float]], damage: Damage, rng: random.Random, inline: bool
) -> str:
    chars = [c for c, _s, _e in line]
    if not inline:
        text = "".join(chars)
        if len(text) > 3 and rng.random() < damage.asr_punctuation:
            at = rng.randrange(1, len(text) - 1)
            text = text[:at] + rng.choice(("、", " ", "。")) + text[at:]
        return text
    # Word-level times every 2-5 characters, YouTube style.
    parts = []
    k = 0
    first = True
    while k < len(line):
        size = rng.randint(2, 5)
        word = "".join(chars[k : k + size])
        if first:
            parts.append(word)
            first = False
        else:
            parts.append(f"<{_ms_to_vtt(line[k][1])}><c>{word}</c>")
        k += size
    return "".join(parts)


def synthesise_captions(
    truth: list[TruthCue], damage: Damage | None = None, *, seed: int = 0
) -> list[TimedLine]:
    """ASR-like captions of ``truth`` (see the module docstring)."""
    damage = damage or Damage()
    rng = random.Random(seed)
    chars = _damage_stream(_spoken_stream(truth), damage, rng)
    lines = _split_lines(chars, damage, rng)
    captions: list[TimedLine] = []
    prev_text = ""
    for line in lines:
        start, end = int(line[0][1]), int(round(line[-1][2]))
        text = _line_text(line, damage, rng, damage.inline_timestamps)
        if damage.rolling:
            # The previous line stays on top while this one is spoken; a 10 ms flash event
            # with the finished line alone sits between them, as YouTube writes it.
            if prev_text:
                plain_prev = _strip_inline(prev_text)
                captions.append(TimedLine(start - 10, start, plain_prev))
                captions.append(TimedLine(start, end, plain_prev + "\n" + text))
            else:
                captions.append(TimedLine(start, end, text))
        else:
            captions.append(TimedLine(start, end, text))
        prev_text = text
    return captions


def _strip_inline(text: str) -> str:
    return re.sub(r"<[^>]*>", "", text)


# ----------------------------------------------------------------------------- long text

_SUBJECTS = (
    "私", "僕", "うちのチーム", "お客さん", "エンジニア", "山田さん", "友人", "上司", "新人",
    "開発者", "サポート担当", "営業の人", "社長", "デザイナー", "学生", "リスナーの方",
)  # fmt: skip
_TOPICS = (
    "コーヒー", "焙煎", "在宅勤務", "データベース", "サーバー", "ログ", "テスト", "予算",
    "会議", "旅行", "料理", "音楽", "映画", "本", "天気", "電車", "自転車", "散歩", "猫",
    "犬", "庭", "野菜", "パン", "お茶", "京都", "大阪", "札幌", "福岡", "海外", "英語",
    "翻訳", "字幕", "番組", "録音", "マイク", "編集", "写真", "カメラ", "祭り", "温泉",
)  # fmt: skip
_MODIFIERS = (
    "新しい", "古い", "大きな", "小さな", "面白い", "難しい", "簡単な", "静かな", "便利な",
    "意外な", "地元の", "去年の", "最近の", "昔からの", "毎朝の", "週末の", "有名な",
)  # fmt: skip
_PREDICATES = (
    "について考えています", "を試してみました", "が好きなんです", "に困っていました",
    "を調べてみたんです", "が話題になりました", "を見直しています", "に興味があります",
    "を始めたばかりです", "が気になっていました", "を続けています", "に驚きました",
    "を楽しみにしています", "の話をしました", "を比べてみました", "が変わってきました",
)  # fmt: skip
_CONNECTORS = ("", "", "でも、", "それで、", "実は、", "ちなみに、", "そういえば、", "結局、")
_ENDINGS = ("。", "ね。", "よ。", "けど。", "か。")


def generate_chunks(n_chars: int, *, seed: int = 0) -> list[str]:
    """About ``n_chars`` of pseudo-natural Japanese in cue-sized chunks, without long repeats
    (random sentences from small vocabularies, with numbers for variety)."""
    rng = random.Random(seed)
    chunks: list[str] = []
    total = 0
    while total < n_chars:
        head = f"{rng.choice(_CONNECTORS)}{rng.choice(_SUBJECTS)}は"
        body = (
            f"{rng.randint(2, 99)}年の{rng.choice(_MODIFIERS)}{rng.choice(_TOPICS)}と"
            f"{rng.choice(_MODIFIERS)}{rng.choice(_TOPICS)}{rng.choice(_PREDICATES)}"
            f"{rng.choice(_ENDINGS)}"
        )
        if rng.random() < 0.5:
            chunks.append(head + body)
        else:
            chunks.append(head + "、")
            chunks.append(body)
        total += len(head) + len(body)
    return chunks
