"""The questionnaire's wording in templates, in the active language.

See questionnaire.editions.wording.

`{% wording question "parts" part.name "label" %}` prints the text, escaped, in a
span with its own lang and dir unless page and text are both English;
`{% wording_text ... %}` prints the bare text, for attributes and <title>;
`{% wording_linked ... %}` as `wording`, with its web and e-mail addresses as links.
The key is given in segments so that a template can pass a part's name or an
option's code from a variable.
"""

from django import template
from django.utils.safestring import SafeString

from questionnaire.editions.wording import Wording, wording_html, wording_language
from questionnaire.editions.wording import wording as _wording

register = template.Library()


def _key(segments) -> str:
    return ".".join(str(segment) for segment in segments)


@register.simple_tag
def wording(obj, *segments) -> SafeString:
    return wording_html(_wording(obj, _key(segments)))


@register.simple_tag
def wording_linked(obj, *segments) -> SafeString:
    """As `wording`, its web and e-mail addresses made links ("please contact dpidg@un.org"
    in the introduction): for running text, never for labels."""
    return wording_html(_wording(obj, _key(segments)), linked=True)


@register.simple_tag
def wording_text(obj, *segments) -> str:
    return _wording(obj, _key(segments)).text


@register.simple_tag
def wording_as_recorded(text, language) -> SafeString:
    """A wording recorded with the language it was shown in (the publication consent)."""
    return wording_html(Wording(text or "", wording_language(language)))
