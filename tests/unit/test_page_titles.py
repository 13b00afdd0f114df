"""Page titles name nobody [issue 12]: the heading shows the name, the title says a plain word instead."""

import pytest

from citizen_app.page_titles import a_name, as_title
from tests.support.page_checks import PageCheckError, check_html

PAGE = '<!doctype html><html lang="sv"><head><title>{title}</title></head><body><h1>{h1}</h1></body></html>'


def test_a_marked_name_is_shown_in_the_heading_and_replaced_in_the_title():
    heading = "SIP för " + a_name("Elsa <Berg>", "barnet")
    assert "Elsa &lt;Berg&gt;" in heading
    assert as_title(heading) == "SIP för barnet"


def test_the_page_check_refuses_a_title_that_names_the_person():
    h1 = "SIP för " + a_name("Elsa Berg", "barnet")
    check_html(PAGE.format(title="SIP för barnet – Min SIP", h1=h1))
    with pytest.raises(PageCheckError, match="Elsa Berg"):
        check_html(PAGE.format(title="SIP för Elsa Berg – Min SIP", h1=h1))
