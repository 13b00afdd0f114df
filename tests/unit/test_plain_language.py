"""LIX as QUALITY.md section 2 defines it, checked against examples counted by hand.

LIX = words / sentences + 100 × long words / words; a long word has more than 6 letters.
"""

import pytest

from citizen_app.plain_language import (
    lix,
    longest_sentence_words,
    main_text_blocks,
    measure,
    sentences,
    words,
)


def test_two_short_sentences_with_no_long_words():
    # Det är din plan | Den kostar inget: 7 words, 2 sentences, "kostar" has 6 letters so it is not long.
    assert lix("Det är din plan. Den kostar inget.") == pytest.approx(7 / 2 + 0)


def test_a_word_of_seven_letters_is_long_and_six_is_not():
    # "telefon" 7 letters (long), "kostar" 6 letters (not): 2 words, 1 sentence, 1 long.
    assert lix("Telefon kostar") == pytest.approx(2 / 1 + 100 * 1 / 2)


def test_every_block_ends_a_sentence_even_without_a_full_stop():
    # A heading without a full stop is a sentence of its own (textstat would join it to the next one).
    # Kontakt (7, long) | Ring oss på telefon (telefon long): 5 words, 2 sentences, 2 long.
    blocks = ["Kontakt", "Ring oss på telefon."]
    assert sentences(blocks) == ["Kontakt", "Ring oss på telefon."]
    assert lix(blocks) == pytest.approx(5 / 2 + 100 * 2 / 5)


def test_question_and_exclamation_marks_and_colons_end_sentences():
    text = "Har du frågor? Ring oss! Telefon: 010-123 45 67"
    assert sentences(text) == ["Har du frågor?", "Ring oss!", "Telefon:"]  # digits alone are no sentence
    # Har du frågor | Ring oss | Telefon (long): 6 words, 3 sentences, 1 long.
    assert lix(text) == pytest.approx(6 / 3 + 100 * 1 / 6)


def test_a_hyphen_inside_a_word_keeps_it_one_word_and_is_not_a_letter():
    # Skicka (6) | e-post (5 letters) | till | samordnaren (11, long): 4 words, 1 sentence, 1 long.
    assert words("Skicka e-post till samordnaren.") == ["Skicka", "e-post", "till", "samordnaren"]
    assert lix("Skicka e-post till samordnaren.") == pytest.approx(4 / 1 + 100 * 1 / 4)


def test_a_dash_between_words_is_not_a_word():
    assert words("Min SIP – en plan") == ["Min", "SIP", "en", "plan"]


def test_swedish_letters_are_letters():
    # Vårdnadshavare (14 letters, long) | måste | svara: 3 words, 1 sentence, 1 long.
    assert words("Vårdnadshavare måste svara.") == ["Vårdnadshavare", "måste", "svara"]
    assert lix("Vårdnadshavare måste svara.") == pytest.approx(3 + 100 / 3)


def test_digits_are_not_words():
    assert words("Ring 112 eller 010-123 45 67.") == ["Ring", "eller"]
    assert lix("Ring 112 eller 010-123 45 67.") == pytest.approx(2 / 1 + 0)


def test_an_inflected_abbreviation_with_a_colon_is_one_word_and_not_a_sentence_end():
    assert sentences("Dina SIP:ar finns här.") == ["Dina SIP:ar finns här."]
    assert words("Dina SIP:ar") == ["Dina", "SIP:ar"]


def test_a_full_stop_inside_a_number_or_word_does_not_end_the_sentence():
    assert sentences("Mötet börjar 10.30 på fredag.") == ["Mötet börjar 10.30 på fredag."]


def test_longest_sentence_is_counted_in_words():
    assert longest_sentence_words(["Ett två tre. Fyra fem!", "Sex sju åtta nio"]) == 4
    assert longest_sentence_words([]) == 0


def test_no_text_has_lix_zero():
    assert lix([]) == 0
    assert lix(["010-123 45 67"]) == 0


def test_measure_shows_the_numbers_behind_the_value():
    result = measure(["Kontakt", "Ring oss på telefon om du har frågor."])
    assert (result.words, result.sentences, result.long_words) == (9, 2, 2)
    assert result.longest_sentence == "Ring oss på telefon om du har frågor."
    assert result.longest_sentence_words == 8


PAGE = """<!doctype html>
<html lang="sv"><head><title>Kontakt – Min SIP</title><style>p { color: red }</style></head>
<body>
  <a class="skip-link" href="#main">Hoppa till innehållet</a>
  <header><a href="/">Min SIP</a><nav><a href="/sprak/en">English</a></nav></header>
  <main id="main">
    <h1>Kontakt</h1>
    <p>Har du frågor? Ring <a href="tel:0101234567">din samordnare</a>.</p>
    <ul><li>Telefon: 010-123 45 67</li><li>E-post: <a href="mailto:a@example.se">a@example.se</a></li></ul>
    <div hidden><p>Den här texten syns inte för någon.</p></div>
    <p><span class="visually-hidden">Du är här:</span> Startsidan</p>
    <script nonce="x">var hemlig = "inte text";</script>
    <form method="post" action="/x"><label for="f">Ditt namn</label><input id="f" name="f">
      <button type="submit">Skicka</button><input type="submit" value="Avbryt"></form>
    <dl><dt>SIP</dt><dd>Samordnad individuell plan</dd></dl>
  </main>
  <footer><a href="/om">Om Min SIP</a></footer>
</body></html>"""


def test_main_text_blocks_are_the_visible_blocks_of_main_only():
    assert main_text_blocks(PAGE) == [
        "Kontakt",
        "Har du frågor? Ring din samordnare.",
        "Telefon: 010-123 45 67",
        "E-post: a@example.se",
        "Du är här: Startsidan",  # visually hidden text is read by screen readers, so it counts
        "Ditt namn",
        "Skicka",
        "Avbryt",
        "SIP",
        "Samordnad individuell plan",
    ]


def test_lix_of_a_page_counted_by_hand():
    # Sentences and words of PAGE's <main>, long words (> 6 letters) in capitals:
    #  1 KONTAKT                          1 word, 1 long
    #  2 Har du frågor?                   3
    #  3 Ring din SAMORDNARE.             3, 1 long
    #  4 TELEFON:                         1, 1 long   (the number is no sentence)
    #  5 E-post:                          1           ("e-post" has 5 letters)
    #  6 a@example.se                     3 (a, example, se), 1 long ("example")
    #  7 Du är här:                       3
    #  8 STARTSIDAN                       1, 1 long
    #  9 Ditt namn                        2
    # 10 Skicka                           1
    # 11 Avbryt                           1
    # 12 SIP                              1
    # 13 SAMORDNAD INDIVIDUELL plan       3, 2 long
    # 24 words, 13 sentences, 7 long words.
    blocks = main_text_blocks(PAGE)
    result = measure(blocks)
    assert (result.words, result.sentences, result.long_words) == (24, 13, 7)
    assert lix(blocks) == pytest.approx(24 / 13 + 100 * 7 / 24)


def test_a_page_without_main_has_no_text():
    assert main_text_blocks("<html><body><p>Bara text utanför main.</p></body></html>") == []
