"""Use cases for offers as a whole: preview, create, edit with a scope. One verb per function."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import replace
from datetime import date, datetime, time

from sqlalchemy import select

from qn_infra.auth import Principal
from qn_infra.logs import get_logger
from qn_infra.unit_of_work import UnitOfWork

from .. import access
from ..bookings import occupancy, rules
from ..bookings.handlers import check_carrier_rules
from ..bookings.models import Booking
from ..sites import domain as sites_domain
from ..sites.handlers import SchedulingContext
from ..sites.models import Site
from . import bookings_of_occurrences as held
from . import domain, recurrence
from .calendar_rules import ChangeReason, OccurrenceStatus, OnHoliday, Planned
from .domain import OfferDetails, SeriesPlan, When
from .models import Occurrence, Offer
from .planning import plan_series, site_and_room

log = get_logger(__name__)


def _checked(details: OfferDetails, when: When, ctx: SchedulingContext, principal: Principal) -> When:
    org = access.booking_org(details.org_id, principal)
    if org is not None:
        sites_domain.check_known_org(org, ctx.city.bookers, field="org_id")
    domain.check_topics(details.topics, ctx.city.topics)
    return replace(when, rrule=recurrence.normalise_rule(when.rrule, ctx.tz))


def _named(plan: SeriesPlan, principal: Principal) -> list[bool]:
    return [access.may_see(principal, c.slot.org_id) for c in plan.collisions]


def preview_offer(
    site_id: str,
    details: OfferDetails,
    when: When,
    policy: OnHoliday,
    *,
    uow: UnitOfWork,
    ctx: SchedulingContext,
    principal: Principal,
    now: datetime,
) -> tuple[SeriesPlan, list[bool]]:
    """What saving the series would do: its occurrences, which are skipped, and what collides."""
    when = _checked(details, when, ctx, principal)
    domain.check_when(when, now=now, tz=ctx.tz)
    with uow:
        site, _ = site_and_room(uow, site_id, when.room_id, lock=False)
        plan = plan_series(when, policy, site=site, uow=uow, ctx=ctx, not_before=now)
        return plan, _named(plan, principal)


def create_offer(
    site_id: str,
    details: OfferDetails,
    when: When,
    policy: OnHoliday,
    *,
    skip_collisions: bool,
    uow: UnitOfWork,
    ctx: SchedulingContext,
    principal: Principal,
    now: datetime,
    reconfirm_days: int | None = None,
) -> Offer:
    """Saves an offer with its occurrences and their room bookings. A collision refuses the whole
    series (409 listing them) unless `skip_collisions`: then those occurrences are left out. Where
    the coordinator allocates the rooms (`carriers_book_directly` false), a carrier's offer is
    refused as its booking would be: it asks for the room and the coordinator plans the offer."""
    when = _checked(details, when, ctx, principal)
    details = replace(details, org_id=access.booking_org(details.org_id, principal))
    domain.check_when(when, now=now, tz=ctx.tz)
    with uow:
        site, _ = site_and_room(uow, site_id, when.room_id)
        if access.own_org_only(principal) and not site.rules().carriers_book_directly:
            raise rules.approval_required(site.name)
        plan = plan_series(when, policy, site=site, uow=uow, ctx=ctx, not_before=now)
        if plan.collisions and not skip_collisions:
            raise domain.series_collides(plan, ctx.tz, named=_named(plan, principal))
        _check_carrier_rules(plan, site, details.org_id, uow=uow, ctx=ctx, principal=principal, now=now)
        offer = Offer(id=uuid.uuid4(), site_id=site_id, created_by=principal.subject, created_at=now, occurrences=[])
        _apply(offer, details, when, policy, now)
        offer.reconfirm_days = reconfirm_days
        uow.session.add(offer)
        colliding = {id(c.planned) for c in plan.collisions}
        for item in plan.planned:
            occurrence = _occurrence(offer, item, colliding=id(item) in colliding)
            if occurrence.status == OccurrenceStatus.SCHEDULED:
                held.book(occurrence, offer, site, uow=uow, ctx=ctx, by=principal.subject, now=now)
        uow.session.flush()
        uow.emit(held.published(offer, site, ctx))
        occupancy.commit(uow, ctx)
        log.info("offer_created", offer_id=str(offer.id), site_id=site_id, occurrences=len(plan.planned))
        uow.session.expunge_all()
        return offer


def _check_carrier_rules(
    plan: SeriesPlan,
    site: Site,
    org_id: str | None,
    *,
    uow: UnitOfWork,
    ctx: SchedulingContext,
    principal: Principal,
    now: datetime,
    releasing: Collection[uuid.UUID] = (),
) -> None:
    """A carrier's own series books room time as its single bookings do: within the site's
    horizon and the carrier's monthly quota there (the city's staff are not bound). What the
    series will book counts, the occurrences it skips do not; `releasing` are the series' own
    bookings that an edit gives back, so they do not count twice."""
    if not access.own_org_only(principal):
        return
    colliding = {id(c.planned) for c in plan.collisions}
    wanted = [
        (item.starts_at, item.ends_at)
        for item in plan.planned
        if item.status == OccurrenceStatus.SCHEDULED and id(item) not in colliding
    ]
    check_carrier_rules(uow, site, org_id, wanted, ctx=ctx, now=now, direct=True, field="rrule", ignore=releasing)


def _apply(offer: Offer, details: OfferDetails, when: When, policy: OnHoliday, now: datetime) -> None:
    offer.title, offer.kind, offer.description = details.title, details.kind.value, details.description
    offer.org_id, offer.target_groups, offer.topics = details.org_id, list(details.target_groups), list(details.topics)
    offer.capacity, offer.registration_required = details.capacity, details.registration_required
    offer.cost, offer.accessibility, offer.contact = details.cost.value, details.accessibility, details.contact
    offer.room_id, offer.first_day, offer.starts, offer.ends = when.room_id, when.first_day, when.starts, when.ends
    offer.rrule, offer.exdates = when.rrule, sorted(d.isoformat() for d in when.exdates)
    offer.on_holiday, offer.updated_at = policy.value, now


def _occurrence(offer: Offer, item: Planned, *, colliding: bool = False) -> Occurrence:
    status, reason = item.status, item.reason
    if colliding:
        status, reason = OccurrenceStatus.SKIPPED, ChangeReason.COLLISION
    occurrence = Occurrence(
        id=uuid.uuid4(),
        site_id=offer.site_id,
        room_id=offer.room_id,
        recurrence_id=item.recurrence_id,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        status=status.value,
        reason=reason.value if reason else None,
        label=item.label,
        moved=item.starts_at != item.recurrence_id,
    )
    offer.occurrences.append(occurrence)
    return occurrence


def _replan(occurrence: Occurrence, item: Planned, room_id: str, status: OccurrenceStatus) -> Occurrence:
    reason = ChangeReason.COLLISION if status is OccurrenceStatus.SKIPPED and item.reason is None else item.reason
    occurrence.recurrence_id, occurrence.starts_at, occurrence.ends_at = (
        item.recurrence_id,
        item.starts_at,
        item.ends_at,
    )
    occurrence.room_id, occurrence.status, occurrence.label = room_id, status.value, item.label
    occurrence.reason = reason.value if reason else None
    occurrence.moved = item.starts_at != item.recurrence_id
    return occurrence


def details_of(offer: Offer) -> OfferDetails:
    return OfferDetails(
        title=offer.title,
        kind=domain.OfferKind(offer.kind),
        description=offer.description,
        org_id=offer.org_id,
        target_groups=tuple(offer.target_groups),
        topics=tuple(offer.topics),
        capacity=offer.capacity,
        registration_required=offer.registration_required,
        cost=domain.Cost(offer.cost),
        accessibility=offer.accessibility,
        contact=offer.contact,
    )


def when_of(offer: Offer) -> When:
    return When(
        room_id=offer.room_id,
        first_day=offer.first_day,
        starts=offer.starts,
        ends=offer.ends,
        rrule=offer.rrule,
        exdates=tuple(date.fromisoformat(d) for d in offer.exdates),
    )


def edit_series(
    offer_id: uuid.UUID,
    scope: domain.Scope,
    occurrence_id: uuid.UUID | None,
    changes: dict[str, object],
    *,
    skip_collisions: bool,
    uow: UnitOfWork,
    ctx: SchedulingContext,
    principal: Principal,
    now: datetime,
) -> Offer:
    """Changes the whole series (its occurrences from now on) or this and all following
    occurrences (the series is split: the old one ends before, a new one continues). Past
    occurrences stay as they were; cancelled and individually moved ones stay cancelled and moved."""
    when_changes = {k: v for k, v in changes.items() if k in When.__dataclass_fields__}
    with uow:
        offer = uow.session.get(Offer, offer_id, with_for_update=True)
        if offer is None:
            raise domain.offer_not_found(offer_id)
        access.check_own_booking(principal, offer.org_id)
        details = replace(
            details_of(offer), **{k: v for k, v in changes.items() if k in OfferDetails.__dataclass_fields__}
        )
        policy = OnHoliday(str(changes.get("on_holiday", offer.on_holiday)))
        if scope is domain.Scope.FOLLOWING:
            pivot = _pivot(offer, occurrence_id, now)
            target = _split(offer, pivot, ctx, principal, now)
            uow.session.add(target)
            # from the pivot's local day: a new start time earlier that day still belongs to it
            from_moment = datetime.combine(pivot.recurrence_id.astimezone(ctx.tz).date(), time.min, ctx.tz)
        else:
            target, from_moment = offer, now
        when = _checked(details, replace(when_of(target), **when_changes), ctx, principal)
        details = replace(details, org_id=access.booking_org(details.org_id, principal))
        domain.check_when(when, now=when.first_start(ctx.tz), tz=ctx.tz)
        site, _ = site_and_room(uow, offer.site_id, when.room_id)
        _reconcile(
            target,
            details,
            when,
            policy,
            site,
            from_moment=max(from_moment, now),
            skip_collisions=skip_collisions,
            uow=uow,
            ctx=ctx,
            principal=principal,
            now=now,
        )
        uow.session.flush()
        uow.emit(held.published(target, site, ctx))
        if target is not offer:
            uow.emit(held.published(offer, site, ctx))
        occupancy.commit(uow, ctx)
        log.info("offer_edited", offer_id=str(target.id), scope=scope.value)
        uow.session.expunge_all()
        return target


def _pivot(offer: Offer, occurrence_id: uuid.UUID | None, now: datetime) -> Occurrence:
    pivot = next((o for o in offer.occurrences if o.id == occurrence_id), None)
    if pivot is None:
        raise domain.OccurrenceNotFound(
            "Für 'dieser und alle folgenden' bitte einen Termin dieses Angebots angeben.",
            "For 'this and all following' please name an occurrence of this offer.",
            field="occurrence_id",
        )
    if pivot.starts_at < now:
        raise domain.in_the_past("occurrence_id")
    return pivot


def _split(offer: Offer, pivot: Occurrence, ctx: SchedulingContext, principal: Principal, now: datetime) -> Offer:
    """Ends `offer` before `pivot` and moves `pivot` and all later occurrences to a new offer
    continuing it, with the rest of the old rule (its remaining COUNT, or the same UNTIL)."""
    later = [o for o in offer.occurrences if o.recurrence_id >= pivot.recurrence_id]
    rule = offer.rrule
    if "COUNT=" in rule.upper():
        remaining = len(recurrence.expand(rule, datetime.combine(offer.first_day, offer.starts, ctx.tz))) - (
            len(offer.occurrences) - len(later)
        )
        rule = recurrence.with_count(rule, max(remaining, 1))
    offer.rrule = recurrence.ending_before(offer.rrule, pivot.recurrence_id)
    offer.updated_at = now
    continued = Offer(
        id=uuid.uuid4(),
        site_id=offer.site_id,
        created_by=principal.subject,
        created_at=now,
        continues_offer_id=offer.id,
        occurrences=[],
    )
    _apply(continued, details_of(offer), replace(when_of(offer), rrule=rule), OnHoliday(offer.on_holiday), now)
    continued.reconfirm_days = offer.reconfirm_days
    continued.first_day = pivot.recurrence_id.astimezone(ctx.tz).date()
    for occurrence in later:
        occurrence.offer = continued  # re-parented, not orphaned: the row stays
    return continued


def _reconcile(
    offer: Offer,
    details: OfferDetails,
    when: When,
    policy: OnHoliday,
    site: Site,
    *,
    from_moment: datetime,
    skip_collisions: bool,
    uow: UnitOfWork,
    ctx: SchedulingContext,
    principal: Principal,
    now: datetime,
) -> None:
    """Brings the occurrences from `from_moment` on in line with the new description."""
    existing = {
        o.recurrence_id.astimezone(ctx.tz).date(): o for o in offer.occurrences if o.recurrence_id >= from_moment
    }
    own_bookings = {o.booking_id for o in existing.values() if o.booking_id is not None}
    plan = plan_series(when, policy, site=site, uow=uow, ctx=ctx, not_before=from_moment, ignore=own_bookings)
    if plan.collisions and not skip_collisions:
        raise domain.series_collides(plan, ctx.tz, named=_named(plan, principal))
    _check_carrier_rules(
        plan, site, details.org_id, uow=uow, ctx=ctx, principal=principal, now=now, releasing=own_bookings
    )
    _apply(offer, details, when, policy, now)
    colliding = {id(c.planned) for c in plan.collisions}
    by = principal.subject
    for item in plan.planned:
        current = existing.pop(item.recurrence_id.astimezone(ctx.tz).date(), None)
        if current is not None and (current.status == OccurrenceStatus.CANCELLED or current.moved):
            continue  # a person's decision about this one occurrence outlives the series edit
        status = OccurrenceStatus.SKIPPED if id(item) in colliding else item.status
        if (
            current is not None
            and current.status == status
            and (current.starts_at, current.ends_at, current.room_id) == (item.starts_at, item.ends_at, when.room_id)
        ):
            continue
        if current is None:
            occurrence = _occurrence(offer, item, colliding=id(item) in colliding)
        else:
            held.release(current, site, uow=uow, ctx=ctx, reason=ChangeReason.RESCHEDULED.value, by=by, now=now)
            occurrence = _replan(current, item, when.room_id, status)
        if occurrence.status == OccurrenceStatus.SCHEDULED:
            held.book(occurrence, offer, site, uow=uow, ctx=ctx, by=by, now=now)
    for gone in existing.values():  # the new rule no longer produces these
        if gone.status in (OccurrenceStatus.SCHEDULED, OccurrenceStatus.PENDING_APPROVAL) and not gone.moved:
            held.release(gone, site, uow=uow, ctx=ctx, reason=ChangeReason.RESCHEDULED.value, by=by, now=now)
            gone.status, gone.reason, gone.changed_at, gone.changed_by = (
                OccurrenceStatus.CANCELLED.value,
                ChangeReason.RESCHEDULED.value,
                now,
                by,
            )
    # titles shown with the room's bookings follow the offer's
    for occurrence in offer.occurrences:
        if occurrence.booking_id is not None and occurrence.starts_at >= from_moment:
            booking = uow.session.get(Booking, occurrence.booking_id)
            if booking is not None:
                booking.title, booking.org_id = offer.title, offer.org_id


def list_offers(site_id: str, *, uow: UnitOfWork) -> list[Offer]:
    """The offers of a site by title (public: they make the programme)."""
    with uow:
        if uow.session.get(Site, site_id) is None:
            raise sites_domain.site_not_found(site_id)
        query = select(Offer).where(Offer.site_id == site_id).order_by(Offer.title, Offer.first_day)
        offers = list(uow.session.scalars(query).all())
        uow.session.expunge_all()
        return offers


def get_offer(offer_id: uuid.UUID, *, uow: UnitOfWork) -> Offer:
    """One offer with its rule."""
    with uow:
        offer = uow.session.get(Offer, offer_id)
        if offer is None:
            raise domain.offer_not_found(offer_id)
        uow.session.expunge_all()
        return offer
