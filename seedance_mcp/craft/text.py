"""Reading prompt text: the language an idea is written in, what it negates, word lists matched
with their plural and verb forms, the camera moves, shot boundaries, quoted speech and on-screen
text a text names, and small sentence helpers that punctuate in the text's own script.

Pure functions over strings; nothing here knows the craft data or the providers.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

# A letter of a Latin-script word (accents included), for whole-word matching; Chinese and
# Japanese have no spaces between words, so their words match anywhere.
_LATIN = r"0-9A-Za-z\u00C0-\u024F_'’\-"
_CJK_CHARS = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK = re.compile(f"[{_CJK_CHARS}]")
_KANA = re.compile(r"[\u3040-\u30ff]")


def _plural_forms(word: str) -> list[str]:
    forms = [word, word + "s", word + "es"]
    if word.endswith("y"):
        forms.append(word[:-1] + "ies")
    return forms


def _verb_forms(word: str) -> list[str]:
    forms = [*_plural_forms(word), word + "ed", word + "ing"]
    if word.endswith("e"):
        forms += [word + "d", word[:-1] + "ing"]
    if word.endswith("y"):
        forms.append(word[:-1] + "ied")
    if re.search(r"[^aeiou][aeiou][bdgklmnprt]$", word):
        forms += [word + word[-1] + "ing", word + word[-1] + "ed"]
    return forms


@functools.cache
def matcher(words: tuple[str, ...], inflect: str) -> re.Pattern[str]:
    """One regex for a word list: whole words (any position for Chinese and Japanese words),
    case-insensitive, with plural or verb endings for Latin-script words."""
    expand: Callable[[str], list[str]] = {
        "plain": lambda w: [w],
        "plural": _plural_forms,
        "verb": _verb_forms,
    }[inflect]
    latin: dict[str, None] = {}
    cjk: dict[str, None] = {}
    for word in words:
        word = word.lower().strip()
        if not word:
            continue
        if _CJK.search(word):
            cjk[re.escape(word)] = None
            continue
        for form in expand(word) if " " not in word else [word]:
            latin[re.escape(form).replace(r"\ ", r"\s+")] = None
    parts = []
    if latin:
        ordered = sorted(latin, key=lambda a: (-len(a), a))
        parts.append(f"(?<![{_LATIN}])(?:" + "|".join(ordered) + f")(?![{_LATIN}])")
    if cjk:
        parts.append("(?:" + "|".join(sorted(cjk, key=lambda a: (-len(a), a))) + ")")
    return re.compile("|".join(parts) or r"(?!x)x", re.IGNORECASE)


def found(words: Sequence[str], text: str, inflect: str = "plural") -> list[str]:
    """The words of a list that occur in text, in order of appearance, each once."""
    hits = matcher(tuple(words), inflect).findall(text)
    return list(dict.fromkeys(hit.lower() for hit in hits))


# ----------------------------------------------------------------------------- language


_SCRIPTS: tuple[tuple[str, str], ...] = (
    (r"[\u3040-\u30ff]", "ja"),
    (r"[\uac00-\ud7af]", "ko"),
    (r"[\u4e00-\u9fff]", "zh"),
    (r"[\u0400-\u04ff]", "ru"),
    (r"[\u0600-\u06ff]", "ar"),
    (r"[\u0900-\u097f]", "hi"),
    (r"[\u0e00-\u0e7f]", "th"),
    (r"[\u0590-\u05ff]", "he"),
    (r"[\u0370-\u03ff]", "el"),
)
# Small words that tell Latin-script languages apart (articles, prepositions, conjunctions).
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "the",
            "a",
            "an",
            "and",
            "with",
            "in",
            "on",
            "at",
            "of",
            "to",
            "his",
            "her",
            "their",
            "its",
            "is",
            "are",
            "under",
            "over",
            "through",
            "into",
            "from",
            "by",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "un",
            "una",
            "unos",
            "unas",
            "y",
            "con",
            "en",
            "del",
            "al",
            "por",
            "sobre",
            "su",
            "sus",
            "es",
            "son",
            "bajo",
            "entre",
        ]
    ),
    "pt": frozenset(
        [
            "o",
            "os",
            "as",
            "um",
            "uma",
            "uns",
            "umas",
            "e",
            "com",
            "em",
            "no",
            "na",
            "nos",
            "nas",
            "do",
            "da",
            "dos",
            "das",
            "pelo",
            "pela",
            "seu",
            "sua",
        ]
    ),
    "id": frozenset(
        ["yang", "dan", "di", "ke", "dari", "dengan", "sebuah", "seorang", "itu", "ini", "pada", "untuk"]
    ),
}
_MARKS = {"es": re.compile(r"[ñ¿¡]"), "pt": re.compile(r"[ãõç]|\bnão\b")}


def detect_language(text: str) -> str:
    """The language a text is written in, as a short code (`en`, `zh`, `ja`, `es`, `pt`, `id`,
    `ko`...): by script first, when the script's characters are at least as many as the Latin
    words (kana means Japanese, other Han characters Chinese), then, for Latin script, by its
    small function words; English when nothing else is clear."""
    words = re.findall(r"[a-záéíóúàâêôãõçñü]+", text.lower())
    han = len(re.findall(r"[\u4e00-\u9fff]", text))
    for pattern, code in _SCRIPTS:
        found_chars = len(re.findall(pattern, text))
        if code == "ja" and found_chars:
            found_chars += han  # Japanese writes kanji among its kana
        # A few foreign characters (a quoted sign, a name) do not make an English idea foreign.
        if found_chars and found_chars >= len(words):
            return code
    scores = {code: sum(w in vocab for w in words) for code, vocab in _FUNCTION_WORDS.items()}
    for code, mark in _MARKS.items():
        if mark.search(text.lower()):
            scores[code] += 2
    best = max(scores, key=lambda code: scores[code])
    if best != "en" and scores[best] >= 2 and scores[best] > scores["en"]:
        return best
    return "en"


def function_words(text: str, code: str) -> int:
    """How many of a Latin-script language's small function words a text holds."""
    vocab = _FUNCTION_WORDS.get(code, frozenset())
    return sum(w in vocab for w in re.findall(r"[a-záéíóúàâêôãõçñü]+", text.lower()))


def is_cjk(text: str) -> bool:
    """Whether a text is written in Chinese or Japanese characters (full-width punctuation)."""
    return bool(_CJK.search(text)) and len(_CJK.findall(text)) >= len(re.findall(r"[A-Za-z]", text)) / 4


# ----------------------------------------------------------------------------- negation

_NEGATION = re.compile(
    r"(?<![\w'])(?:no|not|without|never|nor|none|neither|free\s+of|don'?t|do\s+not|avoid|sin|sem|não|nunca|"
    r"ningún|ninguna|nenhum|nenhuma|tanpa|tidak)(?![\w'])[^,.;:!?\n]*?"
    r"(?=(?:,|\.|;|:|!|\?|\n|$|\s(?:and|but|while|as|where|then|y|e|pero|mas)\s+(?!no\b|not\b|without\b)))",
    re.IGNORECASE,
)
_NEGATION_CJK = re.compile(
    r"(?:没有|不要|不能有|不出现|不得|禁止|无需|别让|切勿|避免)[^，。；！？、,.;!?\n]*"
    r"|[\u3040-\u30ff\u4e00-\u9fff]{1,15}?(?:がない|はない|のない|なし)"
)


def negated_spans(text: str) -> list[tuple[int, int]]:
    """Where a text negates something ("no cars", "without people", "没有汽车", "sin música")."""
    spans = [m.span() for m in _NEGATION.finditer(text) if m.end() > m.start()]
    spans += [m.span() for m in _NEGATION_CJK.finditer(text)]
    return sorted(spans)


def negations(text: str) -> list[str]:
    """The negated phrases of a text, as written."""
    return [text[a:b].strip() for a, b in negated_spans(text)]


def affirmed(text: str) -> str:
    """A text with what it negates blanked out: what it says is there ("no cars" names no car)."""
    out = list(text)
    for start, end in negated_spans(text):
        out[start:end] = " " * (end - start)
    return "".join(out)


# ----------------------------------------------------------------------------- camera and shots

_CAMERA_PATTERNS: dict[str, str] = {
    "dolly-in": r"\bdoll(?:y|ies|ying|ied)[- ](?:in|forward|toward|towards|closer)\b"
    r"|\bpush(?:es|ing)?[- ]in\b"
    r"|\bzoom(?:s|ing)?\s+in\b|\bcrash\s+zoom\b|推进|推近|推镜|镜头拉近|ドリーイン|ズームイン|寄っていく"
    r"|travelling\s+de\s+acercamiento|acercamiento\s+lento|zoom\s+de\s+acercamiento",
    "dolly-out": r"\bdoll(?:y|ies|ying|ied)[- ](?:out|back|away)\b|\bpull(?:s|ing)?[- ](?:back|out)\b"
    r"|\bzoom(?:s|ing)?\s+out\b|拉远|后拉|拉出|镜头远离|ドリーアウト|ズームアウト|引いていく"
    r"|travelling\s+de\s+alejamiento|alejamiento\s+lento",
    "dolly": r"\bdoll(?:y|ies|ying|ied)\b(?![- ](?:in|forward|toward|towards|closer|out|back|away)\b)",
    # "pan" is a camera word only with a camera, a direction or a kind of pan ("pots and pans" is not)
    "pan": r"(?<!pots and )(?<!frying )(?<!the )(?<!a )(?<!an )\bpan(?:s|ned|ning)?\s+(?:slowly\s+)?"
    r"(?:left|right|across|over|to\s+(?:the\s+)?(?:left|right|reveal)|from|up|down|around)\b"
    r"|\b(?:camera|lens|shot|we)\s+(?:slowly\s+)?pan(?:s|ned|ning)?\b|\b(?:slow|whip|quick|gentle|camera|swish)"
    r"[- ]pan\b|\bpan\s+shot\b|横摇|摇镜|左摇|右摇|パン(?:する|して|し)|左から右へ(?:ゆっくり)?パン"
    r"|\bpaneo\b",
    "tilt": r"\btilt(?:s|ed|ing)?\s+(?:up|down|upward|downward)\b"
    r"|\b(?:slow|gentle|camera)\s+tilt\b|\btilt\s+shot\b|上摇|下摇|仰摇|ティルト|inclinación\s+de\s+cámara",
    "tracking": r"\btracking\b|\bcamera\s+(?:tracks|follows)\b|\bfollow(?:ing)?\s+shot\b|跟拍|跟随镜头|跟镜头"
    r"|镜头跟随|トラッキング|追従|\btravelling\s+(?:suave|lateral|que\s+sigue)|\bseguimiento\b",
    "orbit": r"\borbit(?:s|ing|ed)?\b|\barc\s+shot\b|\b360[- ]degree\s+(?:shot|orbit|turn)\b|环绕|环拍|绕拍"
    r"|回り込|オービット|\bórbita\b",
    "crane": r"\bcrane\s+(?:shot|up|down|move|movement)\b|\b(?:rising|descending|slow)\s+crane\b|\bjib\b"
    r"|\bcranes\s+(?:up|down)\b|\bboom\s+(?:up|down)\b|升镜|降镜|镜头(?:缓缓|慢慢|缓慢)?(?:升起|上升|下降|升高)|摇臂"
    r"|クレーン|\bgrúa\b",
    "handheld": r"\bhand-?held\b|\bshaky[- ]cam\b|手持|手ぶれ|手持ち|cámara\s+en\s+mano",
    "aerial": r"\b(?:drone|aerial)\s+(?:shot|view|footage)\b|\bfly-?over\b|\bfly-?through\b|航拍|空撮"
    r"|\bplano\s+aéreo\b",
    "static": r"\bstatic\s+(?:camera|shot|frame)\b|\blocked[- ]off\b|\bfixed\s+(?:camera|lens|frame)\b"
    r"|\bcamera\s+(?:stays|remains|holds)\s+(?:still|static|fixed)\b|\btripod\b|固定镜头|镜头固定|定镜"
    r"|固定カメラ|cámara\s+fija",
}
_CAMERA_RE = {kind: re.compile(pattern, re.IGNORECASE) for kind, pattern in _CAMERA_PATTERNS.items()}

SHOT_SIZE_RE = re.compile(
    r"\b(?:extreme\s+)?(?:wide|long|full|medium|establishing|close)[- ]?(?:up\s+)?shot\b|\bclose[- ]ups?\b"
    r"|\bmedium\s+close[- ]up\b|\bextreme\s+close[- ]up\b|\bmacro\s+shot\b"
    r"|大远景|远景|全景|中景|近景|特写|ロングショット|フルショット|ミディアムショット|クローズアップ"
    r"|\bplano\s+(?:general|entero|medio|detalle)\b|\bprimer(?:ísimo)?\s+(?:primer\s+)?plano\b",
    re.IGNORECASE,
)
# "Shot 1:", "镜头1：", "ショット1：", "Plano 1:", "[Shot 2]"
SHOT_MARKER = re.compile(
    r"(?:\bshot|\bplano|镜头|ショット)\s*(\d+)\s*[:.)\]\-–—：]|\[\s*shot\s*(\d+)\s*\]", re.IGNORECASE
)
# "[0-4s]", "0-4s:", "2-4 seconds:", "[0-4秒]", "0-4秒："
TIMECODE = re.compile(
    r"\[?\s*(\d{1,2})\s*[-–~到至]\s*(\d{1,2})\s*(?:s|sec|secs|seconds|秒)\s*\]?\s*[:：]?", re.IGNORECASE
)
# A cut between shots without a number: "cut to", "镜头切换", "切换到", "[Low-angle shot]".
CUT = re.compile(
    r"\bcut(?:s)?\s+to\b|\bhard\s+cut\b|镜头切换|切换到|切换至|转场|カット(?:して|で|が変わり)|\bcorte\s+a\b"
    r"|\[(?:[\w-]+\s+){0,3}shot\]",
    re.IGNORECASE,
)


def camera_kinds(text: str) -> list[str]:
    """The camera moves a text names, by kind (`static` included), in a fixed order."""
    return [kind for kind, pattern in _CAMERA_RE.items() if pattern.search(text)]


def shot_starts(text: str) -> list[int]:
    """Where each shot after the opening begins: at a numbered marker, a time code or a cut."""
    starts = {m.start() for m in SHOT_MARKER.finditer(text)}
    starts |= {m.start() for m in TIMECODE.finditer(text) if _is_beat(m)}
    starts |= {m.start() for m in CUT.finditer(text)}
    return sorted(starts)


def _is_beat(match: re.Match[str]) -> bool:
    return int(match.group(1)) < int(match.group(2))


def shot_count(text: str) -> int:
    """How many shots a text marks: numbered shots, time-coded beats, or cuts (each cut adds one)."""
    numbered = {next(g for g in m.groups() if g) for m in SHOT_MARKER.finditer(text)}
    beats = [m for m in TIMECODE.finditer(text) if _is_beat(m)]
    cuts = len(CUT.findall(text))
    return max(len(numbered), len(beats), cuts + 1 if cuts else 0)


def timecodes(text: str) -> list[tuple[int, int]]:
    """The time-coded beats of a text ("[0-4s]" -> (0, 4)), in order."""
    return [(int(m.group(1)), int(m.group(2))) for m in TIMECODE.finditer(text) if _is_beat(m)]


# ----------------------------------------------------------------------------- quotes

# Bounded, so an unclosed quote in a long text costs a bounded scan at each position.
_QUOTED = re.compile(
    r'"([^"]{1,1000})"|“([^”]{1,1000})”|«([^»]{1,1000})»|「([^」]{1,1000})」|『([^』]{1,1000})』'
)
# What introduces words shown on screen rather than spoken.
_SHOWN = re.compile(
    r"(?:\b(?:reads?|reading|written|writes|lettering|text|title|titled|caption|captioned|subtitle|headline|"
    r"banner|sign|signs|poster|billboard|logo|label|labelled|labeled|placard|overlay|spells?|spelling|"
    r"displays?|displaying|shows?\s+the\s+words|words?)\b|写着|字样|标题|字幕|文字|标语|招牌|看板|書かれ|文字|"
    r"\b(?:dice\s+el\s+letrero|el\s+texto|letrero|cartel|título)\b)[^\"“«「『.!?。！？]{0,25}$",
    re.IGNORECASE,
)


def _quotes(text: str) -> list[tuple[str, bool]]:
    """Each quoted passage and whether it is shown on screen (a sign, a title) rather than spoken."""
    found_quotes = []
    for match in _QUOTED.finditer(text):
        passage = next(group for group in match.groups() if group)
        before = text[max(0, match.start() - 60) : match.start()]
        found_quotes.append((passage, bool(_SHOWN.search(before))))
    return found_quotes


def quoted(text: str) -> list[str]:
    """The quoted passages of a text (straight, curly, guillemet and CJK quotes)."""
    return [passage for passage, _ in _quotes(text)]


def spoken(text: str) -> list[str]:
    """The quoted passages that are speech, not words shown on screen."""
    return [passage for passage, shown in _quotes(text) if not shown]


def shown(text: str) -> list[str]:
    """The quoted passages that are words shown on screen (a sign, a title, a caption)."""
    return [passage for passage, on_screen in _quotes(text) if on_screen]


_WORD = re.compile(r"[0-9A-Za-z\u00C0-\u024F]+(?:['’][A-Za-z\u00C0-\u024F]+)*")


def spoken_words(text: str) -> float:
    """Words of speech in the quoted lines; a contraction is one word ("it's"); Chinese and
    Japanese count two characters per word."""
    total = 0.0
    for line in spoken(text):
        cjk = len(_CJK.findall(line))
        total += len(_WORD.findall(_CJK.sub(" ", line))) + cjk / 2
    return total


# ----------------------------------------------------------------------------- sentence helpers

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*")
_CLOSERS = '.!?。！？"”」』»)）'


def capfirst(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def sentence(text: str, stop: str | None = None) -> str:
    """A phrase as a sentence: capital first letter, closing punctuation in the text's script
    (a full-width "。" after Chinese or Japanese) unless it already ends in one."""
    text = text.strip().rstrip(",;，；、")
    if not text:
        return ""
    text = capfirst(text)
    if text[-1] in _CLOSERS:
        return text
    return text + (stop if stop is not None else ("。" if is_cjk(text) else "."))


def clean(value: str | None) -> str:
    """A free-text field as a phrase: single spaces, no trailing full stop."""
    if value is None:
        return ""
    return re.sub(r"\s+", " ", value).strip().rstrip(".;, 。；，")


def split_sentences(text: str) -> list[str]:
    """A text's sentences, whitespace collapsed (full-width stops end a sentence too)."""
    return [s.strip() for s in _SENTENCE_END.split(re.sub(r"\s+", " ", text).strip()) if s.strip()]


def tidy(rendered: str) -> str:
    """A rendered template without blank lines, doubled spaces or spaces before punctuation."""
    lines = (
        re.sub(r" +([,.，。：])", r"\1", re.sub(r"[ \t]+", " ", line)).strip()
        for line in rendered.splitlines()
    )
    return "\n".join(line for line in lines if line)
