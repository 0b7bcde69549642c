from django import forms
from django.utils.translation import gettext_lazy as _


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the new token"),
        max_length=100,
        help_text=_("What it is for, e.g. 'R scripts on my laptop'."),
    )
