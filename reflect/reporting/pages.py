"""The report's page: the executed notebook exported to self-contained HTML with nbconvert.

The exporter uses the kit's nbconvert template (``reflect/templates/reflect_report``, found with
:mod:`importlib.resources`): JupyterLab's cell markup without JupyterLab's stylesheets (the few
rules the page used are in ``reflect.css``, with their values) or code highlighting, nothing that
loads from a network, no code and no prompts; cells tagged ``notebook-only`` (prose for the
notebook's reader) stay out.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

TEMPLATE_NAME = "reflect_report"
#: Cells with this tag explain the notebook to its reader and stay out of the report.
NOTEBOOK_ONLY_TAG = "notebook-only"

_EXPORTERS: list[Any] = []


def templates_dir() -> str:
    """The folder of the kit's nbconvert and Voila templates (package data)."""
    return str(resources.files("reflect") / "templates")


def exporter() -> Any:
    """The report's HTML exporter, made once per process."""
    if not _EXPORTERS:
        _EXPORTERS.append(_make_exporter())
    return _EXPORTERS[0]


def _make_exporter() -> Any:
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from nbconvert.preprocessors import TagRemovePreprocessor

    class ReportExporter(HTMLExporter):  # type: ignore[misc]
        """JupyterLab's HTML exporter without its last pass, which re-parses the whole page with
        BeautifulSoup to add alt text to <img> tags and tabindex to code cells. A report has
        neither (its charts are inline SVG and its code is left out), and on a page of SVG
        that pass costs more than the rest of the export."""

        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:
            self.register_filter("highlight_code", Highlight2HTML(pygments_lexer="ipython3", parent=self))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    made = ReportExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[templates_dir()],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    made.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={NOTEBOOK_ONLY_TAG}, enabled=True),
                               enabled=True)
    return made


def export_html(nb: Any, title: str) -> str:
    """The report page of the executed notebook ``nb``."""
    body, _ = exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    return str(body)


def warm_up() -> None:
    """Import nbconvert and compile the report template (by exporting an empty notebook)."""
    import nbformat

    exporter().from_notebook_node(nbformat.v4.new_notebook())
