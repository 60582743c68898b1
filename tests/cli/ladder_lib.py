"""Reads what --ladder drew: per lesson column, the packet arrows, the bands and the counts of what
was not drawn, and the events with their side and text (the tooltip holds a cut text whole)."""
import html
import re


def columns(svg):
    """One dict per lesson column, in order."""
    parts = re.split(r'<text x="[0-9.]+" y="[0-9.]+" font-size="14" font-weight="bold" font-family="sans-serif">', svg)
    cols = []
    for part in parts[1:]:
        name = part[: part.index("</text>")]
        events = []
        for side, body in re.findall(r'<g class="event" data-side="(\w+)">(.*?)</g>', part, re.S):
            title = re.search(r"<title>(.*?)</title>", body, re.S)
            text = title.group(1) if title else re.findall(r">([^<>]*)</text>", body)[-1]
            events.append((side, html.unescape(text)))
        cols.append({
            "name": name,
            "arrows": len(re.findall(r'<g class="pkt ', part)),
            "bands": [int(n) for n in re.findall(r'<g class="bundle" data-packets="(\d+)"', part)],
            "hidden_packets": sum(int(n) for n in re.findall(r'class="hidden" data-packets="(\d+)"', part)),
            "hidden_events": sum(int(n) for n in re.findall(r'data-events="(\d+)"', part)),
            "events": events,
        })
    return cols
