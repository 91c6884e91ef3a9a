"""Organisations and how to reach them."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from services.models import Activity, ActivityOrganisation, Organisation
from services.repositories import OrganisationRepository
from services.textnorm import match_key, normalise
from services.views import ContactView, Resolution, SourceView


def contact_view(organisation: Organisation) -> ContactView:
    source = organisation.contact_source
    return ContactView(
        organisation=organisation.name,
        address=organisation.address,
        postcode=organisation.postcode,
        phones=tuple(organisation.phones or ()),
        fax=organisation.fax,
        email=organisation.email,
        contact_persons=tuple(organisation.contact_persons or ()),
        source=SourceView(source.title, source.issued_on, source.year) if source else None,
    )


# Places other than Shanghai (provinces, large cities, the country): 北京市质量协会 and 杭州质协 are
# not 市质量协会 and 质协, whose names the association's aliases are.
_PLACES = (r"(?:北京|天津|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|广西"
           r"|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|西藏|宁夏|新疆|香港|澳门|杭州|南京|苏州|无锡|宁波|合肥"
           r"|广州|深圳|武汉|成都|西安|厦门|青岛|大连|长沙|郑州|济南|沈阳|哈尔滨|长春|昆明|南昌|福州|石家庄|太原"
           r"|南宁|贵阳|兰州|海口|中国|全国)[省市]?")
_OTHER_PLACE = re.compile(_PLACES + "$")
_OTHER_ASSOCIATION = re.compile(_PLACES + r"(?:质量协会|质协)")


class ContactService:
    def __init__(self, session_factory: sessionmaker) -> None:
        self._session_factory = session_factory

    def resolve(self, text: str | None) -> Resolution[ContactView]:
        key = match_key(text or "")
        if not key:
            return Resolution()
        with self._session_factory() as session:
            repo = OrganisationRepository(session)
            index = repo.name_index()
            ids = {org_id for name, org_id in index if name == key}
            if not ids:
                # 上海市质量协会秘书处, 质协的: the longest known name inside the words, unless a
                # place stands right before it (北京市质量协会, 杭州质协: another city's association).
                contained = [(len(name), org_id) for name, org_id in index
                             if len(name) >= 2 and name in key and not _OTHER_PLACE.search(key[:key.index(name)])]
                if contained:
                    longest = max(length for length, _ in contained)
                    ids = {org_id for length, org_id in contained if length == longest}
            organisations = [o for o in (repo.get(i) for i in sorted(ids)) if o is not None]
            return Resolution(tuple(contact_view(o) for o in organisations))

    @staticmethod
    def other_association(text: str | None) -> str | None:
        """The quality association of another place the words name (北京市质量协会, 杭州质协),
        whose contact no notice gives: it must not be answered with the association's own."""
        found = _OTHER_ASSOCIATION.search(normalise(text or ""))
        return found.group(0) if found else None

    def with_contacts(self) -> list[str]:
        """Names of the organisations whose contact details a notice gives."""
        with self._session_factory() as session:
            query = select(Organisation.name).where(Organisation.contact_source_id.is_not(None))
            return list(session.scalars(query.order_by(Organisation.id)).all())

    def organisation_id(self, name: str) -> int | None:
        with self._session_factory() as session:
            organisation = OrganisationRepository(session).get_by_name(name)
            return organisation.id if organisation else None

    def contact(self, name: str) -> ContactView | None:
        with self._session_factory() as session:
            organisation = OrganisationRepository(session).get_by_name(name)
            return contact_view(organisation) if organisation else None

    def for_activity(self, activity_id: int) -> list[ContactView]:
        """How to reach the units behind an activity, most specific first: units
        whose contact details the activity's own notice gives, then responsible
        units (the department running it), then organisers."""
        with self._session_factory() as session:
            query = (select(Organisation, ActivityOrganisation.role, Activity.source_document_id)
                     .join(ActivityOrganisation, ActivityOrganisation.organisation_id == Organisation.id)
                     .join(Activity, Activity.id == ActivityOrganisation.activity_id)
                     .where(ActivityOrganisation.activity_id == activity_id,
                            Organisation.contact_source_id.is_not(None))
                     .order_by(ActivityOrganisation.position))
            rows = session.execute(query).all()
            ranked = sorted(rows, key=lambda row: (row[0].contact_source_id != row[2],
                                                   row[1] != "responsible"))
            seen: dict[int, ContactView] = {}
            for organisation, _, _ in ranked:
                seen.setdefault(organisation.id, contact_view(organisation))
            return [view for view in seen.values() if view.has_any]
