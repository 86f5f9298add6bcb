"""The criteria catalogue: groups, pillars, input fields, scoring rules and level rules.

A catalogue is configuration (catalogues/<id>.yaml). Its rule vocabulary is small
and declarative so that an analyst can replace a reconstructed table with the
official one without touching code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from .errors import CqdtError, Issue
from .yamlio import load_model

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
# Totals must close to the maxima within this tolerance (floating point in YAML).
_TOLERANCE = 1e-9


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Component(Strict):
    """A component index inside a main index: its criteria's points add up to it."""

    id: Identifier
    label: str = Field(min_length=1)


class Pillar(Strict):
    """A pillar (main index) of the catalogue: a notebook step of the build, in catalogue order."""

    id: Identifier
    label: str
    short_label: str = Field(min_length=1)  # column heads and chart axes
    sheet: str = Field(min_length=1)
    description: str = ""
    # An unscored index is assessed and reported with its points, but they do not enter the total.
    scored: bool = True
    components: list[Component] = []

    def component(self, component_id: str) -> Component:
        return next(c for c in self.components if c.id == component_id)


class InputField(Strict):
    """One figure a survey form collects (a column of the group workbook)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    sheet: str
    kind: Literal["count", "yes_no", "percent", "amount"]
    unit: str = ""
    maximum: float | None = None  # highest plausible value; above it the input is rejected


class _Rule(Strict):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9_.]*$")
    label: str
    pillar: str
    component: str = ""  # the id of one of its pillar's components, when the pillar declares them
    heading: str = ""  # a free sub-heading of the criteria table
    max_points: float = Field(gt=0)

    def fields(self) -> list[str]:
        raise NotImplementedError


class YesNo(_Rule):
    """Full points when the answer is yes (1 / Có), none otherwise."""

    rule: Literal["yes_no"]
    field: str

    def fields(self) -> list[str]:
        return [self.field]


class Ratio(_Rule):
    """max × numerator / denominator (capped at 1; nothing when the denominator is 0)."""

    rule: Literal["ratio"]
    numerator: str
    denominator: str

    def fields(self) -> list[str]:
        return [self.numerator, self.denominator]


class Percent(_Rule):
    """max × value / 100 for a share reported in percent."""

    rule: Literal["percent"]
    field: str

    def fields(self) -> list[str]:
        return [self.field]


class Step(Strict):
    at_least: float
    points: float = Field(ge=0)


class Steps(_Rule):
    """The points of the highest threshold the value reaches."""

    rule: Literal["steps"]
    field: str
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Steps:
        bounds = [step.at_least for step in self.steps]
        if bounds != sorted(bounds) or len(set(bounds)) != len(bounds):
            raise ValueError(f"tiêu chí {self.id}: các ngưỡng phải tăng dần và không trùng nhau")
        if max(step.points for step in self.steps) > self.max_points + _TOLERANCE:
            raise ValueError(f"tiêu chí {self.id}: điểm một bậc vượt điểm tối đa {self.max_points}")
        return self

    def fields(self) -> list[str]:
        return [self.field]


class CappedCount(_Rule):
    """points_each × count, capped at the maximum."""

    rule: Literal["capped_count"]
    field: str
    points_each: float = Field(gt=0)

    def fields(self) -> list[str]:
        return [self.field]


class BestShare(_Rule):
    """max × value / the best value in the group (nothing when the best is 0)."""

    rule: Literal["best_share"]
    field: str

    def fields(self) -> list[str]:
        return [self.field]


Criterion = Annotated[
    YesNo | Ratio | Percent | Steps | CappedCount | BestShare, Field(discriminator="rule")
]
RULE_NAMES = ("yes_no", "ratio", "percent", "steps", "capped_count", "best_share")


class LevelRule(Strict):
    level: Literal["I", "II", "III", "IV"]
    min_share: float = Field(gt=0, le=1)
    # Criteria that must score their full points for the level, whatever the total.
    required_full: list[str] = []


class GroupLevels(Strict):
    """Levels I–IV by share of the maximum, with criteria some levels require at full points."""

    heading: str = "Mức độ"  # the column head of the classification
    below_label: str
    rules: list[LevelRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _descending(self) -> GroupLevels:
        if not _strictly_descending([rule.min_share for rule in self.rules]):
            raise ValueError("ngưỡng các mức độ phải giảm dần từ mức I đến mức IV")
        return self


def _strictly_descending(shares: list[float]) -> bool:
    return shares == sorted(shares, reverse=True) and len(set(shares)) == len(shares)


class Band(Strict):
    label: str = Field(min_length=1)
    min_share: float = Field(ge=0, le=1)


class GroupBands(Strict):
    """Named bands (Tốt, Khá, …) by share of the maximum, from the highest down; the last starts at 0."""

    heading: str = "Xếp loại"
    rules: list[Band] = Field(min_length=1)

    @model_validator(mode="after")
    def _covering(self) -> GroupBands:
        shares = [band.min_share for band in self.rules]
        if not _strictly_descending(shares):
            raise ValueError("ngưỡng các loại phải giảm dần, không trùng nhau")
        if shares[-1] != 0:
            raise ValueError("loại thấp nhất phải bắt đầu từ 0 để mọi đơn vị đều được xếp loại")
        labels = [band.label for band in self.rules]
        if len(set(labels)) != len(labels):
            raise ValueError("tên các loại không được trùng nhau")
        return self


class Group(Strict):
    """A group of units and every label the report prints about it."""

    label: str  # «Sở, ban, ngành»: table and chart legends
    plural: str  # «sở, ban, ngành»: inside sentences and chart titles
    appendix_title: str  # the appendix's title; {year} is filled in
    colour: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")  # the group's colour in charts
    unit_label: str
    noun: str = ""  # one unit in a sentence («trong từng huyện»); the plural when empty
    ranked: bool
    # The group whose units contain this group's units (the registry's parent_code): the appendix
    # lists the units under their parent.
    parent: str = ""
    printed_scorecards: bool = True  # False: the cards stay in the HTML, out of the scorecards PDF
    max_points: float = Field(gt=0)  # the sum of the scored pillars' maxima
    pillar_max: dict[str, float]
    component_max: dict[str, float] = {}
    # Classification: levels with required criteria, named bands, or neither.
    levels: GroupLevels | None = None
    bands: GroupBands | None = None
    fields: list[InputField]
    criteria: list[Criterion]

    def classes(self) -> dict[str, str]:
        """The classification's values, best first, with the label the report prints for each."""
        if self.levels:
            return {r.level: f"Mức {r.level}" for r in self.levels.rules} | {
                self.levels.below_label: self.levels.below_label}
        return {band.label: band.label for band in self.bands.rules} if self.bands else {}

    @property
    def unit_noun(self) -> str:
        return self.noun or self.plural

    @property
    def class_heading(self) -> str:
        return self.levels.heading if self.levels else self.bands.heading if self.bands else ""


class Catalogue(Strict):
    id: str
    title: str
    short_title: str = Field(min_length=1)  # «đánh giá CQĐT»: the report's window title
    index_term: str = "trụ cột"  # what the report calls a main index («trụ cột», «chỉ số chính»)
    methodology: str
    reconstructed: bool
    reconstruction_note: str = ""
    pillars: list[Pillar]
    groups: dict[Identifier, Group] = Field(min_length=1)  # in the order of the decision

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        problems = _consistency_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def group_ids(self) -> list[str]:
        return list(self.groups)

    @property
    def scored_pillars(self) -> list[str]:
        return [p.id for p in self.pillars if p.scored]

    def pillar(self, pillar_id: str) -> Pillar:
        return next(p for p in self.pillars if p.id == pillar_id)

    def criteria(self, group: str, pillar: str | None = None) -> list[Criterion]:
        return [c for c in self.groups[group].criteria if pillar is None or c.pillar == pillar]

    def fields_for(self, group: str, pillar: str) -> list[InputField]:
        """The input fields a pillar's criteria read, in catalogue order."""
        used = {name for c in self.criteria(group, pillar) for name in c.fields()}
        return [f for f in self.groups[group].fields if f.id in used]


def _consistency_problems(cat: Catalogue) -> list[str]:
    problems: list[str] = []
    pillar_ids = [p.id for p in cat.pillars]
    if not pillar_ids:
        problems.append("danh mục phải có ít nhất một trụ cột")
    repeated = sorted({p for p in pillar_ids if pillar_ids.count(p) > 1})
    if repeated:
        problems.append(f"trụ cột khai báo hai lần: {', '.join(repeated)}")
    reserved = {"ranking", "pillar", "consolidation"} & set(pillar_ids)  # names of the other notebooks of the build
    if reserved:
        problems.append(f"tên trụ cột trùng tên sổ tay của dự án: {', '.join(sorted(reserved))}")
    if not cat.scored_pillars:
        problems.append("danh mục phải có ít nhất một trụ cột được tính điểm")
    sheets = {p.sheet for p in cat.pillars}
    for name, group in cat.groups.items():
        problems += _group_problems(name, group, cat, sheets)
    return problems


def _group_problems(name: str, group: Group, cat: Catalogue, sheets: set[str]) -> list[str]:
    problems: list[str] = []
    pillars = {p.id for p in cat.pillars}
    if group.parent and group.parent not in cat.groups or group.parent == name:
        problems.append(f"nhóm {name}: nhóm cấp trên «{group.parent}» không phải một nhóm khác của danh mục")
    if group.levels and group.bands:
        problems.append(f"nhóm {name}: chỉ được khai báo một cách xếp loại (levels hoặc bands)")
    ids = [c.id for c in group.criteria]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"nhóm {name}: mã tiêu chí {dup} bị trùng")
    field_ids = [f.id for f in group.fields]
    for dup in sorted({i for i in field_ids if field_ids.count(i) > 1}):
        problems.append(f"nhóm {name}: cột số liệu {dup} bị khai báo hai lần")
    for field in group.fields:
        if field.sheet not in sheets:
            problems.append(f"nhóm {name}: cột {field.id} thuộc trang «{field.sheet}» không có trong danh mục")
    known, used = set(field_ids), set()
    for criterion in group.criteria:
        if criterion.pillar not in pillars:
            problems.append(f"nhóm {name}: tiêu chí {criterion.id} thuộc trụ cột lạ «{criterion.pillar}»")
        for field in criterion.fields():
            used.add(field)
            if field not in known:
                problems.append(f"nhóm {name}: tiêu chí {criterion.id} dùng cột chưa khai báo «{field}»")
    for unused in [f for f in field_ids if f not in used]:
        problems.append(f"nhóm {name}: cột {unused} không được tiêu chí nào sử dụng")
    problems += _component_problems(name, group, cat)
    problems += _maxima_problems(name, group, cat)
    for rule in group.levels.rules if group.levels else []:
        for required in rule.required_full:
            if required not in ids:
                problems.append(f"nhóm {name}: mức {rule.level} đòi tiêu chí không tồn tại {required}")
    return problems


def _component_problems(name: str, group: Group, cat: Catalogue) -> list[str]:
    """A pillar that declares components: each criterion names one, each used one has its maximum."""
    problems: list[str] = []
    declared = {c.id: p.id for p in cat.pillars for c in p.components}
    for criterion in group.criteria:
        nested = any(p.id == criterion.pillar and p.components for p in cat.pillars)
        if nested and declared.get(criterion.component) != criterion.pillar:
            problems.append(f"nhóm {name}: tiêu chí {criterion.id} phải thuộc một chỉ số thành phần của "
                            f"trụ cột {criterion.pillar} (nhận được «{criterion.component}»)")
        elif not nested and criterion.component:
            problems.append(f"nhóm {name}: tiêu chí {criterion.id} ghi chỉ số thành phần «{criterion.component}» "
                            f"nhưng trụ cột {criterion.pillar} không khai báo chỉ số thành phần")
    for component in group.component_max:
        if component not in declared:
            problems.append(f"nhóm {name}: điểm tối đa cho chỉ số thành phần lạ «{component}»")
    return problems


def _sum_problem(name: str, what: str, declared: float | None, actual: float, parts: str) -> list[str]:
    if declared is None:
        return [f"nhóm {name}: thiếu điểm tối đa của {what}"]
    if abs(declared - actual) > _TOLERANCE:
        return [f"nhóm {name}: {what} khai báo tối đa {declared:g} điểm nhưng {parts} cộng lại {actual:g} điểm"]
    return []


def _maxima_problems(name: str, group: Group, cat: Catalogue) -> list[str]:
    """Maxima add up at every level: criteria → component → pillar → the group's total."""
    problems = []
    for pillar in cat.pillars:
        own = [c for c in group.criteria if c.pillar == pillar.id]
        if pillar.components:
            for component in pillar.components:
                members = [c.max_points for c in own if c.component == component.id]
                if members or component.id in group.component_max:
                    problems += _sum_problem(name, f"chỉ số thành phần {component.id}",
                                             group.component_max.get(component.id), sum(members), "các tiêu chí")
            parts = sum(group.component_max.get(c.id, 0.0) for c in pillar.components)
            problems += _sum_problem(name, f"trụ cột {pillar.id}", group.pillar_max.get(pillar.id), parts,
                                     "các chỉ số thành phần")
        else:
            problems += _sum_problem(name, f"trụ cột {pillar.id}", group.pillar_max.get(pillar.id),
                                     sum(c.max_points for c in own), "các tiêu chí")
    for extra in sorted(set(group.pillar_max) - {p.id for p in cat.pillars}):
        problems.append(f"nhóm {name}: điểm tối đa cho trụ cột lạ «{extra}»")
    total = sum(group.pillar_max.get(p, 0.0) for p in cat.scored_pillars)
    if abs(total - group.max_points) > _TOLERANCE:
        problems.append(
            f"nhóm {name}: tổng điểm tối đa khai báo {group.max_points:g} "
            f"nhưng các trụ cột cộng lại {total:g}"
            + (" (không kể các trụ cột không tính điểm)" if len(cat.scored_pillars) < len(cat.pillars) else "")
        )
    return problems


def load_catalogue(path: Path) -> Catalogue:
    catalogue = load_model(path, Catalogue, "danh mục tiêu chí")
    if not catalogue.reconstructed and catalogue.reconstruction_note:
        raise CqdtError(Issue("danh mục chính thức không được có ghi chú tái dựng", file=path))
    return catalogue
