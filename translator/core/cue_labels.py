"""Japanese caption conventions inside a cue: speaker labels and sound labels.

Speaker labels: ``(悟)セリフ``, ``（れんげ）セリフ`` at a line start or in mid-line, ``名前：セリフ``,
and the enclosing forms ``《ひとり:セリフ》`` / ``＜奏:セリフ＞`` name a speaker; the name is kept
without its brackets and a second label inside one cue starts a new turn. ``≪`` (an off-screen
voice mark) is dropped before a label.

Sound labels are not speakers: ``(泣き声)``, ``(足音)``, ``≪(拍手)``, ``♪～``, ``♬～``, ``♪（音楽）``
become pieces of kind ``sound`` (subtitled, left out of transcripts). A bracketed text counts as
a sound when it names one (音, 声, 笑い, 拍手, ため息, チャイム… — see ``_SOUND_WORD``) or when it
stands alone on the cue's last line and is not a name used as a label elsewhere in the file.
Music lines with lyrics (``♪君と歩いた``) stay dialogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from translator.core.structure import is_label_like

SPEECH, SOUND = "speech", "sound"
_MAX_LABEL_LINE = 200
_PAREN = re.compile(r"[(（［\[]([^()（）［］\[\]\n]{1,24})[)）］\]]")
_ENCLOSED = re.compile(
    r"^[《＜〈<≪]\s*([^:：《》＜＞〈〉<>\s]{1,12})\s*[:：]\s*(.*?)\s*[》＞〉>≫]?$"
)
_COLON = re.compile(r"^([^:：\s()（）「」『』]{1,12})\s*[：:]\s*(?=\S)")
_OFFSCREEN = re.compile(r"^[≪≫]+\s*")
_MUSIC_ONLY = re.compile(r"^[♪♫♬♩～〜~ー・…\s]*(?:[(（][^()（）]{0,12}[)）])?[♪♫♬♩～〜~ー・…\s]*$")
_MUSIC_MARK = re.compile(r"[♪♫♬♩]")
_SOUND_WORD = re.compile(
    r"(?:音|声|笑|拍手|泣|ため息|溜息|息|咳|せき|鳴|響|ノック|チャイム|ベル|BGM|ＢＧＭ|SE\b|音楽|"
    r"悲鳴|叫|歓声|サイレン|着信|振動|物音|いびき|寝息|あくび|くしゃみ|ざわめき|どよめき|"
    r"爆発|銃|雷|波|雨|風|拍|ブザー|アラーム|クラクション|エンジン|ブレーキ|シャッター|"
    r"ドア|扉|戸|鐘|太鼓|口笛|舌打ち|すすり|鼻|喉|ゴク|ガタ|バタ|ドン|ゴロ|カチ|ピッ|ピピ|ブー|ブル)"
)


@dataclass
class Piece:
    """One turn (or sound) inside a cue: ``lines`` of display text."""

    kind: str  # SPEECH | SOUND
    speaker: str | None
    lines: list[str]
    labelled: bool = False  # the speaker was named here


def is_sound_label(text: str) -> bool:
    return bool(_SOUND_WORD.search(text))


def label_names(lines: list[str]) -> set[str]:
    """Bracketed names used as labels before dialogue on the same line (a first pass, so a
    lone ``(悟)`` on another line is still read as a name)."""
    names: set[str] = set()
    for line in lines:
        m = _PAREN.match(_OFFSCREEN.sub("", line.strip()))
        if m and line.strip()[m.end() :].strip() and not is_sound_label(m.group(1)):
            names.add(m.group(1).strip())
        m2 = _ENCLOSED.match(line.strip()) if len(line) <= _MAX_LABEL_LINE else None
        if m2:
            names.add(m2.group(1))
    return names


def split_pieces(
    lines: list[str], known_names: set[str] | frozenset[str] = frozenset()
) -> list[Piece]:
    """The turns and sounds of one cue, in order."""
    pieces: list[Piece] = []

    def add(kind: str, speaker: str | None, text: str, labelled: bool, new: bool) -> None:
        text = text.strip()
        if not text:
            if labelled and kind == SPEECH:
                pieces.append(Piece(kind, speaker, [], True))  # a label alone: text follows
            return
        last = pieces[-1] if pieces else None
        if (
            last is not None
            and not new
            and last.kind == kind
            or last is not None
            and last.kind == SPEECH
            and kind == SPEECH
            and not last.lines
        ):
            last.lines.append(text)
        else:
            pieces.append(Piece(kind, speaker, [text], labelled))

    for index, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        last_line = index == len(lines) - 1
        short = len(line) <= _MAX_LABEL_LINE  # the enclosing patterns backtrack on long lines
        if short and _MUSIC_ONLY.match(line) and _MUSIC_MARK.search(line):
            add(SOUND, None, line, False, True)
            continue
        m = _ENCLOSED.match(line) if short else None
        if m and is_label_like(m.group(1)):
            add(SPEECH, m.group(1), m.group(2), True, True)
            continue
        line = _OFFSCREEN.sub("", line)
        m = _COLON.match(line)
        if m and is_label_like(m.group(1)) and not is_sound_label(m.group(1)):
            add(SPEECH, m.group(1).strip(), line[m.end() :], True, True)
            continue
        pos = 0
        for pm in _PAREN.finditer(line):
            label = pm.group(1).strip()
            before = line[pos : pm.start()]
            after = line[pm.end() :].strip()
            alone = not before.strip() and not after
            if is_sound_label(label) and label not in known_names:
                add(SPEECH, None, before, False, False)
                add(SOUND, None, f"（{label}）", False, True)
                pos = pm.end()
            elif alone and last_line and label not in known_names:
                add(SOUND, None, f"（{label}）", False, True)
                pos = pm.end()
            elif (label in known_names or (not before.strip() and is_label_like(label))) and (
                after or not last_line or label in known_names
            ):
                add(SPEECH, None, before, False, False)
                add(SPEECH, label, "", True, True)
                pos = pm.end()
        rest = line[pos:]
        add(SPEECH, None, rest, False, bool(pieces) and pieces[-1].kind == SOUND)
    return [p for p in pieces if p.lines]
