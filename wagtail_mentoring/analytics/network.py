"""The organisational network map: which departments (or locations, or career
levels) mentoring and sponsorship connect.

Every pair of members of an active or completed relationship is one
*connection* between their groups (a one-to-one relationship is one
connection; a group of three, three). Two aggregated queries, whatever the
size of the company: the connections per pair of groups, now and at the start
of the quarter (one ``GROUP BY`` with conditional counts), and the people per
group. Python then only reads those few rows.

Groups with fewer participants than ``MIN_GROUP_SIZE`` (``analytics.equity``)
are merged into "Other groups"; when even that is too small, its connections
are hidden and only counted. The map never shows an individual.
"""

from __future__ import annotations

import datetime
import io
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail_mentoring import spreadsheets
from wagtail_mentoring.analytics.equity import min_group_size
from wagtail_mentoring.programs.models import (
    Enrollment,
    ProgramPage,
    RelationshipMember,
    RelationshipStatus,
)
from wagtail_mentoring.programs.selectors import public
from wagtail_mentoring.sql import compiled_once

#: Relationships that make the network: those that happened or are happening.
NETWORK_STATUSES = [RelationshipStatus.ACTIVE, RelationshipStatus.COMPLETED]

#: The switch of the map: what a node is, and the profile field it groups by.
DIMENSIONS = {
    "department": (gettext_lazy("Departments"), "department"),
    "location": (gettext_lazy("Locations"), "location"),
    "level": (gettext_lazy("Career levels"), "level"),
}

OTHER = "__other__"
UNKNOWN = "__unknown__"
#: How many bridges the summary names.
TOP_BRIDGES = 5


def quarter_start(today: datetime.date) -> datetime.date:
    return datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)


@dataclass
class Node:
    key: str
    label: str
    people: int
    connections: int = 0
    outside: int = 0
    x: float = 0.0
    y: float = 0.0
    r: float = 0.0

    @property
    def isolated(self) -> bool:
        return self.connections > 0 and self.outside == 0

    @property
    def anchor(self) -> str:
        return "wm-node-" + "".join(c if c.isalnum() else "-" for c in self.key)


@dataclass
class Edge:
    a: Node
    b: Node
    now: int
    before: int

    @property
    def change(self) -> int:
        return self.now - self.before

    @property
    def crosses(self) -> bool:
        return self.a.key != self.b.key


@dataclass
class NetworkMap:
    dimension: str
    since: datetime.date
    min_size: int
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    hidden_connections: int = 0
    merged_groups: int = 0

    @property
    def dimension_label(self) -> str:
        return str(DIMENSIONS[self.dimension][0])

    def _total(self, attr: str, cross: bool | None = None) -> int:
        return sum(
            getattr(e, attr) for e in self.edges if cross is None or e.crosses == cross
        )

    @property
    def connections(self) -> int:
        return self._total("now")

    @property
    def cross_connections(self) -> int:
        return self._total("now", cross=True)

    @property
    def cross_share(self) -> float | None:
        return self.cross_connections / self.connections if self.connections else None

    @property
    def cross_share_before(self) -> float | None:
        total = self._total("before")
        return self._total("before", cross=True) / total if total else None

    @property
    def cross_share_change(self) -> float | None:
        if self.cross_share is None or self.cross_share_before is None:
            return None
        return self.cross_share - self.cross_share_before

    @staticmethod
    def _percent(value: float | None) -> str:
        return "—" if value is None else f"{round(100 * value)} %"

    @property
    def cross_share_text(self) -> str:
        return self._percent(self.cross_share)

    @property
    def cross_share_before_text(self) -> str:
        return self._percent(self.cross_share_before)

    @property
    def cross_share_change_text(self) -> str:
        change = self.cross_share_change
        if change is None:
            return "—"
        points = round(100 * change)
        return _("%(sign)s%(n)d points") % {
            "sign": "+" if points > 0 else "",
            "n": points,
        }

    @property
    def isolated(self) -> list[Node]:
        return [n for n in self.nodes if n.isolated]

    @property
    def bridges(self) -> list[Edge]:
        cross = [e for e in self.edges if e.crosses and e.now]
        return sorted(cross, key=lambda e: (-e.now, e.a.label, e.b.label))[:TOP_BRIDGES]

    @property
    def cross_edges(self) -> list[Edge]:
        return [e for e in self.edges if e.crosses]

    @property
    def inner_edges(self) -> list[Edge]:
        return [e for e in self.edges if not e.crosses]


def _group_key(value) -> str:
    if value is None or value == "":
        return UNKNOWN
    return str(value)


def _label(dimension: str, key: str) -> str:
    if key == OTHER:
        return _("Other groups (each too small to show)")
    if key == UNKNOWN:
        return _("Not recorded")
    if dimension == "level":
        return _("Level %(level)s") % {"level": key}
    return key


def members(programs=None):
    """Members of the relationships the map counts, of active people only
    (``programs``: a queryset or ids limiting it; ``None``: every program)."""
    rows = RelationshipMember.objects.filter(
        relationship__status__in=NETWORK_STATUSES, user__is_active=True
    )
    if programs is not None:
        rows = rows.filter(relationship__program__in=programs)
    return rows


def build_map(
    programs=None,
    *,
    dimension: str = "department",
    today: datetime.date | None = None,
    min_size: int | None = None,
) -> NetworkMap:
    """The map of ``programs`` (``None``: all) by ``dimension``.

    ``before`` counts are the connections of relationships that had started by
    the first day of the current quarter ("change since last quarter").
    """
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    today = today or timezone.localdate()
    since = quarter_start(today)
    threshold = min_group_size(min_size)
    column = f"user__mentoring_profile__{DIMENSIONS[dimension][1]}"
    base = members(programs)

    # People per group: distinct participants, whatever their number of
    # relationships.
    people = {
        _group_key(row["group"]): row["n"]
        for row in base.values(group=F(column))
        .annotate(n=Count("user", distinct=True))
        .order_by()
    }
    # Connections per pair of groups: each member row joined with the other
    # members of its relationship (pk order, so each pair once).
    pairs = (
        base.filter(
            relationship__members__pk__gt=F("pk"),
            relationship__members__user__is_active=True,
        )
        .values(
            a=F(column),
            b=F(f"relationship__members__{column}"),
        )
        .annotate(
            now=Count("pk"),
            before=Count("pk", filter=Q(relationship__started_on__lt=since)),
        )
        .order_by()
    )
    merged = {key for key, n in people.items() if n < threshold}
    result = NetworkMap(dimension=dimension, since=since, min_size=threshold)
    result.merged_groups = len(merged)
    other_people = sum(people[k] for k in merged)

    def target(key):
        return OTHER if key in merged else key

    sizes = {k: n for k, n in people.items() if k not in merged}
    if merged:
        sizes[OTHER] = other_people
    shown = {k for k, n in sizes.items() if k != OTHER or n >= threshold}
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for row in pairs:
        a, b = target(_group_key(row["a"])), target(_group_key(row["b"]))
        if a not in shown or b not in shown:
            result.hidden_connections += row["now"]
            continue
        key = tuple(sorted((a, b)))
        counts[key][0] += row["now"]
        counts[key][1] += row["before"]
    nodes = {k: Node(key=k, label=_label(dimension, k), people=sizes[k]) for k in shown}
    result.nodes = sorted(
        nodes.values(), key=lambda n: (n.key in (OTHER, UNKNOWN), n.label.lower())
    )
    for (a, b), (now, before) in sorted(counts.items()):
        edge = Edge(nodes[a], nodes[b], now, before)
        result.edges.append(edge)
        for node in {edge.a.key: edge.a, edge.b.key: edge.b}.values():
            node.connections += now
            if edge.crosses:
                node.outside += now
    result.edges.sort(key=lambda e: (-e.now, e.a.label, e.b.label))
    return result


# --- Drawing ----------------------------------------------------------------------

SIZE = 640
CENTER = SIZE / 2


@dataclass
class Drawing:
    """Coordinates of the map's SVG, computed here so the template only prints."""

    size: int
    nodes: list
    lines: list


def layout(network: NetworkMap) -> Drawing:
    """Nodes on a circle, biggest first; line width by connections."""
    nodes = sorted(network.nodes, key=lambda n: (-n.people, n.label.lower()))
    count = len(nodes)
    biggest = max((n.people for n in nodes), default=1)
    ring = CENTER - 90
    for i, node in enumerate(nodes):
        angle = 2 * math.pi * i / max(count, 1) - math.pi / 2
        node.x = round(CENTER + ring * math.cos(angle), 1)
        node.y = round(CENTER + ring * math.sin(angle), 1)
        node.r = round(6 + 18 * math.sqrt(node.people / biggest), 1)
        node.label_x = round(CENTER + (ring + node.r + 8) * math.cos(angle), 1)
        node.label_y = round(CENTER + (ring + node.r + 8) * math.sin(angle), 1)
        node.label_anchor = (
            "middle"
            if abs(math.cos(angle)) < 0.3
            else ("start" if math.cos(angle) > 0 else "end")
        )
    strongest = max((e.now for e in network.cross_edges), default=1)
    lines = []
    for edge in network.cross_edges:
        if not edge.now:
            continue
        lines.append(
            {
                "edge": edge,
                "width": round(1 + 9 * edge.now / strongest, 1),
                "bridge": edge in network.bridges,
            }
        )
    return Drawing(size=SIZE, nodes=nodes, lines=lines)


def to_csv(network: NetworkMap) -> str:
    """One row per pair of groups: the map's data table, for a spreadsheet."""
    out = io.StringIO()
    writer = spreadsheets.writer(out)
    writer.writerow(
        [
            _("Group"),
            _("Connected group"),
            _("Connections"),
            _("Connections at %(date)s") % {"date": network.since.isoformat()},
            _("Change"),
        ]
    )
    for edge in network.edges:
        writer.writerow(
            [edge.a.label, edge.b.label, edge.now, edge.before, edge.change]
        )
    writer.writerow([])
    writer.writerow([_("Group"), _("People"), _("Connections"), _("Outside it")])
    for node in network.nodes:
        writer.writerow([node.label, node.people, node.connections, node.outside])
    if network.hidden_connections:
        writer.writerow([])
        writer.writerow(
            [_("Connections of groups too small to show"), network.hidden_connections]
        )
    return out.getvalue()


# --- My network (the employee's own view) -------------------------------------------

#: How many people, spaces and suggestions *My network* lists at most.
MY_NETWORK_LIMIT = 12
SUGGESTIONS = 3


@dataclass
class Contact:
    user: object
    department: str
    programs: list[str]
    current: bool


@dataclass
class MyNetwork:
    contacts: list[Contact]
    more_contacts: int
    departments: list[str]
    spaces: list
    suggestions: list
    suggested_programs: list

    @property
    def is_empty(self) -> bool:
        return not (self.contacts or self.spaces)


def my_network(user, relationships=None) -> MyNetwork:
    """The people ``user`` is or was connected to through relationships (any
    status but pending), the departments those reached, their spaces, and
    spaces to join (or, with no space to suggest, programs to apply to).

    A constant number of queries: one for the people, one for the spaces (and
    one for programs when no space is suggested). ``relationships`` are all of
    ``user``'s, with their members (users and profiles read) and programs, when
    a page holds them whole (*My mentoring*'s cards): the people are then read
    from them, not queried again.
    """
    people: dict = {}
    for member, program_title, is_open in _connections(user, relationships):
        profile = getattr(member.user, "mentoring_profile", None)
        contact = people.get(member.user_id)
        if contact is None:
            contact = people[member.user_id] = Contact(
                user=member.user,
                department=profile.department if profile else "",
                programs=[],
                current=False,
            )
        if program_title not in contact.programs:
            contact.programs.append(program_title)
        contact.current = contact.current or is_open
    own = getattr(getattr(user, "mentoring_profile", None), "department", "")
    departments = sorted(
        {c.department for c in people.values() if c.department and c.department != own}
    )
    contacts = list(people.values())
    spaces, suggestions = _spaces(user)
    programs = [] if suggestions else _programs_to_join(user)
    return MyNetwork(
        contacts=contacts[:MY_NETWORK_LIMIT],
        more_contacts=max(0, len(contacts) - MY_NETWORK_LIMIT),
        departments=departments,
        spaces=spaces,
        suggestions=suggestions,
        suggested_programs=programs,
    )


def _connections(user, relationships=None):
    """(member, program title, relationship open?) of the other active members
    of ``user``'s relationships but pending ones, the newest relationship first."""
    if relationships is None:
        members = (
            RelationshipMember.objects.filter(
                relationship__members__user=user,
                user__is_active=True,
            )
            .exclude(user=user)
            .exclude(relationship__status=RelationshipStatus.PENDING)
            # the program's title only: its page is some 60 columns
            .select_related("user", "user__mentoring_profile", "relationship")
            .annotate(program_title=F("relationship__program__title"))
            .order_by("-relationship__created_at", "pk")
        )
        return [(m, m.program_title, m.relationship.is_open) for m in members]
    found = [
        (r, m)
        for r in relationships
        if r.status != RelationshipStatus.PENDING
        for m in r.members.all()
        if m.user_id != user.pk and m.user is not None and m.user.is_active
    ]
    # as the query orders them: the newest relationship first, then by member
    found.sort(key=lambda rm: rm[1].pk)
    found.sort(key=lambda rm: rm[0].created_at, reverse=True)
    return [(m, r.program.title, r.is_open) for r, m in found]


@compiled_once
def _spaces_with_mine(user_key):
    """Every public live space with its active ``member_count`` and ``mine``
    (whether ``user_key`` is an active member), the busiest first."""
    # *My mentoring* (engagement) shows this, and engagement sits below
    # community: the space's model comes from the app registry, not an import.
    space_model = apps.get_model("wagtail_mentoring", "CommunitySpacePage")
    active = Q(memberships__status="active")
    return (
        public(space_model.objects.live())
        .annotate(
            member_count=Count("memberships", filter=active, distinct=True),
            mine=Count(
                "memberships",
                filter=active & Q(memberships__user=user_key),
                distinct=True,
            ),
        )
        .order_by("-member_count", "title")
    )


def _spaces(user) -> tuple[list, list]:
    """Spaces ``user`` is in (with their member counts), and open or by-request
    spaces they are not in, the busiest first."""
    # One query: a company has tens of spaces, not thousands.
    mine, suggestions = [], []
    for space in _spaces_with_mine(user.pk):
        if space.mine:
            mine.append(space)
        elif not space.archived and space.membership_policy in ("open", "request"):
            suggestions.append(space)
    mine, suggestions = mine[:MY_NETWORK_LIMIT], suggestions[:SUGGESTIONS]
    return mine, suggestions


def _programs_to_join(user) -> list:
    now = timezone.now()
    return list(
        public(ProgramPage.objects.live())
        .exclude(
            pk__in=Enrollment.objects.filter(user=user).live().values("program_id")
        )
        .filter(Q(enrollment_opens_at__isnull=True) | Q(enrollment_opens_at__lte=now))
        .filter(Q(enrollment_closes_at__isnull=True) | Q(enrollment_closes_at__gt=now))
        .order_by("title")[:SUGGESTIONS]
    )
