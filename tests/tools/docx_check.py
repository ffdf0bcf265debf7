"""Read a Word file with python-docx, a real client, and print its
paragraphs as JSON: style, and runs (hyperlinks' runs included) with their
text and formatting. Exit 3 when python-docx is missing.

Usage: docx_check.py FILE"""
import json
import sys

try:
    import docx
    from docx.text.hyperlink import Hyperlink
except ImportError:
    sys.exit(3)


def run_info(run, link=False):
    style = run.style.name if run.style is not None else ""
    return {
        "text": run.text,
        "bold": bool(run.bold) or "Strong" in style,
        "italic": bool(run.italic) or style == "Emphasis",
        "highlight": run.font.highlight_color is not None,
        "link": link,
    }


def paragraph_info(p):
    runs = []
    for item in p.iter_inner_content():
        if isinstance(item, Hyperlink):
            runs.extend(run_info(r, link=True) for r in item.runs)
        else:
            runs.append(run_info(item))
    return {"style": p.style.name if p.style is not None else "", "runs": runs}


document = docx.Document(sys.argv[1])
paragraphs = [paragraph_info(p) for p in document.paragraphs]
for table in document.tables:
    for row in table.rows:
        for cell in row.cells:
            paragraphs.extend(paragraph_info(p) for p in cell.paragraphs)
print(json.dumps(paragraphs, ensure_ascii=False))
