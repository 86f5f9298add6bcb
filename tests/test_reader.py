"""The HTML report as reviewers use it, in Chromium on a phone (390 × 844) and on a desktop
(1440 × 900): tables that fit the phone, one search over every unit, a table of contents, sorting
that keeps the groups and the official order, and no accessibility violation found by axe-core."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from cqdt.browser import CHROMIUM, CHROMIUM_ARGS

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1440, "height": 900}


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_report(browser, folder, year, viewport):
    page = browser.new_page(viewport=viewport, is_mobile=viewport is PHONE, has_touch=viewport is PHONE)
    page.goto((folder / f"bao-cao-cqdt-{year}.html").as_uri(), wait_until="load")
    return page


@pytest.fixture(scope="module")
def phone(browser, built_2021):
    page = open_report(browser, built_2021, 2021, PHONE)
    yield page
    page.close()


@pytest.fixture(scope="module")
def desktop(browser, built_2021):
    page = open_report(browser, built_2021, 2021, DESKTOP)
    yield page
    page.close()


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def test_on_a_phone_the_key_columns_fit_and_more_columns_come_on_request(phone):
    width = PHONE["width"]
    wrap = "#phu-luc-i .table-wrap"
    assert phone.eval_on_selector(wrap, "w => w.scrollWidth <= w.clientWidth")  # nothing to scroll
    heads = phone.locator("#bang-i thead th:visible").all_inner_texts()
    assert [h.strip() for h in heads] == ["Hạng", "Đơn vị", "Tổng điểm (tối đa 130)", "Mức độ"]
    for selector in ("#bang-i thead th:nth-child(1)", "#bang-i td.total", "#bang-i td.level"):
        right = box(phone, selector)
        assert right["x"] >= 0 and right["x"] + right["width"] <= width, selector
    assert not phone.locator(f"{wrap} .scroll-hint").is_visible()
    button = phone.locator('button.show-secondary[data-table="bang-i"]')
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    assert phone.eval_on_selector(wrap, "w => w.scrollWidth > w.clientWidth")
    assert phone.locator(f"{wrap} .scroll-hint").is_visible()  # the table says it scrolls
    phone.eval_on_selector(wrap, "w => { w.scrollLeft = w.scrollWidth; }")
    unit = box(phone, "#bang-i td.unit")
    assert 0 <= unit["x"] and unit["x"] + unit["width"] <= width  # the unit's name stays in view
    button.click()


def test_on_a_phone_chart_text_stays_legible(phone):
    smallest = phone.evaluate("""() => Math.min(...Array.from(document.querySelectorAll('svg.chart text'))
        .filter(t => t.getBoundingClientRect().height > 0)
        .map(t => { const m = t.getScreenCTM(); return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b); }))""")
    assert smallest >= 7.0, smallest  # CSS pixels; 6 px before charts kept a minimum width


def test_one_search_finds_any_unit_with_or_without_diacritics_or_by_code(desktop):
    search = desktop.locator("#tim-don-vi")
    for query, name in [("hoi thuong", "Phường Hội Thương (23566)"), ("Hội Thương", "Phường Hội Thương (23566)"),
                        ("SBN01", "Sở Thông tin và Truyền thông (SBN01)"), ("chu puh", "Huyện Chư Pưh (639)")]:
        search.fill(query)
        results = desktop.locator("#ket-qua-tim li").all_inner_texts()
        assert any(r.startswith(name) for r in results), (query, results)
    search.fill("pleiku")
    first = desktop.locator("#ket-qua-tim li", has_text="Thành phố Pleiku (622)")
    assert first.locator("a").all_inner_texts() == ["Phụ lục II", "phiếu kết quả"]
    first.locator("a", has_text="Phụ lục II").click()
    assert desktop.evaluate("location.hash") == "#dong-622"
    search.fill("")
    assert desktop.locator("#ket-qua-tim li").count() == 0


def test_a_table_of_contents_leads_to_every_part_and_each_card_back_to_its_row(desktop):
    links = desktop.locator("nav.page-tools details.contents a")
    texts = [t.strip() for t in links.all_text_contents()]
    assert texts[0] == "Quyết định số 489/QĐ-UBND" and texts[1].startswith("Phụ lục I. Kết quả đánh giá")
    assert "Sở, ban, ngành" in texts and "V. Độ vững của thứ hạng" in texts
    for href in links.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        assert desktop.locator(href).count() == 1, href
    desktop.locator("#don-vi-SBN01 .card-back a").click()
    assert desktop.evaluate("location.hash") == "#dong-SBN01"
    assert desktop.locator("#dong-SBN01 td.unit").inner_text() == "Sở Thông tin và Truyền thông"


def levels(page, table):
    return page.locator(f"#{table} tbody tr:not(.group-row) td.level").all_inner_texts()


def test_sorting_by_level_follows_the_level_order_and_the_keyboard(desktop):
    order = {"I": 1, "II": 2, "III": 3, "IV": 4, "Chưa đạt mức IV": 5}
    button = desktop.locator("#bang-ii thead th", has_text="Mức độ").locator("button.sort")
    button.focus()
    desktop.keyboard.press("Space")  # a real button: Space sorts, as Enter does
    shown = [order[level] for level in levels(desktop, "bang-ii")]
    assert shown == sorted(shown) and len(set(shown)) > 1
    desktop.keyboard.press("Enter")
    shown = [order[level] for level in levels(desktop, "bang-ii")]
    assert shown == sorted(shown, reverse=True)
    desktop.locator('button.official-order[data-table="bang-ii"]').click()
    ranks = [int(r) for r in desktop.locator("#bang-ii tbody td:first-child").all_inner_texts()]
    assert ranks == sorted(ranks)


def group_layout(page):
    """The visible rows of Phụ lục III: a district's heading, then its communes."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('#bang-iii tbody tr'))
        .filter(r => !r.hidden).map(r => r.classList.contains('group-row') ? 'G:' + r.textContent.trim()
                                                                           : r.getAttribute('data-code'))""")


def test_groups_survive_any_sort_and_search_and_printing_uses_the_official_order(desktop):
    official = group_layout(desktop)
    assert official[0].startswith("G:") and sum(r.startswith("G:") for r in official) == 17
    search = desktop.locator('input.table-search[data-table="bang-iii"]')
    desktop.locator("#bang-iii thead th", has_text="Tổng điểm").locator("button.sort").click()
    assert not any(r.startswith("G:") for r in group_layout(desktop))  # sorted across districts: no headings
    search.fill("ia")
    search.fill("")
    assert not any(r.startswith("G:") for r in group_layout(desktop))  # none stacked at the top either
    desktop.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert group_layout(desktop) == official
    search.fill("pleiku")  # in the official order a search keeps the headings of the districts it shows
    shown = group_layout(desktop)
    assert shown[0].startswith("G:") and all(not r.startswith("G:") or shown[i + 1][:2] != "G:"
                                             for i, r in enumerate(shown[:-1]))
    search.fill("")
    assert group_layout(desktop) == official


CONTRAST_SAMPLE = ["#quyet-dinh", "#phu-luc-i", "nav.page-tools", "#don-vi-SBN01", "figure.chart-figure"]


def axe_violations(page) -> list:
    """Every axe-core rule over the whole page; colour contrast, the slowest rule by far (a minute
    on this page), over a sample of every kind of content: the decision, an appendix, the tools, a
    scorecard and the charts. A contrast axe could not decide counts as a violation, except for the
    text of a chart (an SVG image, its labels a few characters long: axe does not decide them)."""
    page.evaluate(Axe().axe_script)
    others = page.evaluate("""async () => (await axe.run(document, {rules: {'color-contrast': {enabled: false}},
        resultTypes: ['violations']})).violations.map(v => [v.id, v.nodes.map(n => n.target.join(' ')).slice(0, 3)])""")
    try:
        return others + sample_contrast(page)
    finally:
        page.reload(wait_until="load")  # the page again whole, for the module's other tests


def sample_contrast(page) -> list:
    """The contrast of the sample with the rest of the page taken out around it: axe's contrast
    check costs some 8 s on the whole page whatever its scope, and 3 s on the sample alone. The
    sample keeps its ancestors (their styles and backgrounds) and so does whatever is fixed or sticky
    on the screen (the tools bar), which could cover it."""
    page.evaluate("""(sample) => {
        const kept = sample.flatMap(selector => Array.from(document.querySelectorAll(selector)));
        const prune = (parent) => { for (const child of Array.from(parent.children)) {
            if (kept.includes(child) || ['fixed', 'sticky'].includes(getComputedStyle(child).position)) continue;
            if (kept.some(element => child.contains(element))) prune(child); else child.remove(); } };
        prune(document.body); }""", CONTRAST_SAMPLE)
    # A card far below is not laid out until it nears the screen (content-visibility: auto), and axe
    # then reports each of its texts as overlapped, undecided: the sampled card is brought to the middle
    # of the screen, clear of the sticky tools bar.
    page.evaluate("document.getElementById('don-vi-SBN01').scrollIntoView({block: 'center'})")
    return page.evaluate("""async (sample) => {
        const found = await axe.run({include: sample.map(selector => [selector])}, {runOnly: ['color-contrast'],
            resultTypes: ['violations', 'incomplete'], elementRef: true});
        const undecided = found.incomplete.map(v => ['undecided ' + v.id, v.nodes
            .filter(n => !n.element.closest('svg.chart')).map(n => n.target.join(' '))]);
        return found.violations.map(v => [v.id, v.nodes.map(n => n.target.join(' ')).slice(0, 3)])
            .concat(undecided.filter(([, nodes]) => nodes.length).map(([id, nodes]) => [id, nodes.slice(0, 3)])); }""",
                         CONTRAST_SAMPLE)


def test_axe_finds_no_accessibility_violation_on_a_phone(phone):
    assert axe_violations(phone) == []


def test_axe_finds_no_accessibility_violation_on_a_desktop(desktop):
    assert axe_violations(desktop) == []


def test_tables_charts_and_ids_speak_to_screen_readers(desktop):
    facts = desktop.evaluate("""() => {
        const ids = Array.from(document.querySelectorAll('[id]')).map(e => e.id);
        const tables = Array.from(document.querySelectorAll('main table:not([role=presentation])'));
        const charts = Array.from(document.querySelectorAll('svg.chart'));
        return {
          duplicated: ids.filter((id, i) => ids.indexOf(id) !== i).slice(0, 5),
          headsWithoutScope: document.querySelectorAll('main th:not([scope])').length,
          heads: document.querySelectorAll('main th').length,
          tablesWithoutCaption: tables.filter(t => !t.caption || !t.caption.textContent.trim()).length,
          tables: tables.length,
          charts: charts.length,
          unlabelled: charts.filter(s => s.getAttribute('role') !== 'img' || s.getAttribute('aria-labelledby')
              .split(' ').some(id => !document.getElementById(id) || !document.getElementById(id).textContent.trim())).length,
          sortHeadsWithoutButton: document.querySelectorAll('th[data-sort]:not(:has(> button.sort))').length,
        }; }""")
    assert facts["duplicated"] == [] and facts["headsWithoutScope"] == 0 and facts["tablesWithoutCaption"] == 0
    assert facts["heads"] > 1500 and facts["tables"] > 40 and facts["charts"] >= 20
    assert facts["unlabelled"] == 0 and facts["sortHeadsWithoutButton"] == 0


def test_the_success_bars_carry_their_number(desktop):
    cell = desktop.locator("#don-vi-SBN01 .card-pillars tbody tr").first.locator("td.share")
    assert re.fullmatch(r"\d{1,3}%", cell.text_content().strip())


def test_every_row_adds_up_as_printed_in_both_years(browser, built_2021, built_2022):
    for year, folder, decimals in ((2021, built_2021, 2), (2022, built_2022, 3)):
        page = open_report(browser, folder, year, DESKTOP)
        rows = page.evaluate("""() => Array.from(document.querySelectorAll('section.appendix tbody tr[data-code]'))
            .map(r => Array.from(r.querySelectorAll('td.num.secondary, td.total')).map(c => c.textContent.trim()))""")
        page.close()
        assert len(rows) == 257
        for cells in rows:
            assert all(re.fullmatch(rf"\d+,\d{{{decimals}}}", c) for c in cells), cells
            units = [int(c.replace(",", "")) for c in cells]
            assert sum(units[:-1]) == units[-1], (year, cells)
