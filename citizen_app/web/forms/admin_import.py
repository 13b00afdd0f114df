"""Forms of the organisation import pages (web/admin_import.py) [issue 18]. Shape only; what the file says is
checked by services/organisation_import.py."""

from __future__ import annotations

from flask import request
from flask_wtf.form import _Auto
from werkzeug.datastructures import CombinedMultiDict, FileStorage
from wtforms import Field
from wtforms.validators import ValidationError

from citizen_app.services import N_
from citizen_app.web.forms import Form, StrictText

FILE_ENDINGS = (".csv", ".txt")

NO_FILE = N_("Välj en fil.")
NOT_CSV = N_("Filen måste vara en CSV-fil, som slutar på .csv. Spara den som CSV i Excel.")


class UploadedFile(Field):
    """A file chosen in ``<input type="file">``: ``data`` is the file (FileStorage), or None when none was."""

    def process_formdata(self, valuelist):
        chosen = [value for value in valuelist if isinstance(value, FileStorage) and value.filename]
        self.data = chosen[0] if chosen else None

    def pre_validate(self, form) -> None:
        if self.data is None:
            raise ValidationError(NO_FILE)
        if not self.data.filename.lower().endswith(FILE_ENDINGS):
            raise ValidationError(NOT_CSV)


class ImportFileForm(Form):
    """The upload: the one form that reads a file as well as the posted fields."""

    class Meta(Form.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto and request.method == "POST":
                return CombinedMultiDict((request.files, request.form))
            return super().wrap_formdata(form, formdata)

    file = UploadedFile(
        N_("Fil med enheter och personal"),
        description=N_("En CSV-fil, till exempel sparad från Excel eller HSA-katalogen."),
    )


class ApplyForm(Form):
    """ "Genomför ändringarna": the file's hash and the hash of the changes the page showed."""

    sha256 = StrictText()
    digest = StrictText()
