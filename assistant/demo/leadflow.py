"""The life of each simulated lead: interest or not, converted by its rep, or dropped.

Converted leads become deals that live on in the pipeline; when one is won, the lead
reaches `action` through the service, as in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from assistant.demo import sample as s
from assistant.demo.simulate import SimDeal, Simulation
from assistant.services import deals, leads
from assistant.services.leads import NewLead

LEAD_STAY = {"awareness": 3.0, "interest": 6.0, "consideration": 8.0}
# When a stay ends: the share that sales takes on, and the share dropped; at `interest`,
# another 30 % move on to `consideration`; the rest stay where they are.
CONVERT = {"interest": 0.25, "consideration": 0.5}
DROP = {"interest": 0.25, "consideration": 0.3}
CONSIDER = 0.3


@dataclass
class SimLead:
    number: int
    owner: str
    source: str
    stage: str

    @property
    def ref(self) -> str:
        return f"L{self.number}"


class LeadFlow:
    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.rng = sim.rng
        self.marketer = sim.actor(s.MARKETER)
        self.lead_count = 0
        self._emails: set[str] = set()

    def new_lead(self) -> None:
        rng, sim = self.rng, self.sim
        source = _weighted(rng, {k: v[0] for k, v in s.SOURCES.items()})
        campaign = _weighted(rng, s.SOURCES[source][1])
        first, last = rng.choice(s.FIRST_NAMES), rng.choice(s.LAST_NAMES)
        company = sim.company()
        warm = source in ("referral", "events") and rng.random() < 0.4
        new = NewLead(
            name=f"{first} {last}",
            company=company,
            email=self.email(first, last, company),
            source=source,
            campaign=campaign,
            stage="interest" if warm else None,
            owner_id=rng.choice(s.REPS),
        )
        lead = leads.insert_lead(sim.days.session, sim.days.workspace, s.MARKETER, new, sim.now)
        self.lead_count += 1
        self.schedule(SimLead(lead.number, new.owner_id, source, lead.stage_key))

    def email(self, first: str, last: str, company: str) -> str:
        local = "".join(c for c in f"{first}.{last}".lower() if c.isascii() and c not in "' ")
        domain = company.lower().replace(" ", "") + ".example"
        email, n = f"{local}@{domain}", 1
        while email in self._emails:
            n += 1
            email = f"{local}{n}@{domain}"
        self._emails.add(email)
        return email

    def schedule(self, lead: SimLead) -> None:
        when = self.sim.later(LEAD_STAY[lead.stage], 0.8)
        self.sim.scheduler.at(when, lambda: self.step(lead))

    def step(self, lead: SimLead) -> None:
        roll = self.rng.random()
        if lead.stage == "awareness":
            interest = s.INTEREST[lead.source]
            if roll < interest:
                self.move(lead, "interest")
            elif roll < interest + (1 - interest) * 0.3:  # most cold leads just stay cold
                self.drop(lead)
            return
        convert = CONVERT[lead.stage]
        consider = convert + (CONSIDER if lead.stage == "interest" else 0.0)
        if roll < convert:
            self.convert(lead)
        elif roll < consider:
            self.move(lead, "consideration")
        elif roll < consider + DROP[lead.stage]:
            self.drop(lead)

    def move(self, lead: SimLead, stage: str) -> None:
        leads.move_lead(self.sim.services, self.marketer, lead.ref, stage)
        lead.stage = stage
        self.schedule(lead)

    def drop(self, lead: SimLead) -> None:
        reason = self.rng.choice(s.LEAD_DROP_REASONS)
        leads.drop_lead(self.sim.services, self.marketer, lead.ref, reason)

    def convert(self, lead: SimLead) -> None:
        sim = self.sim
        amount = sim.amount()
        stage = "qualification" if self.rng.random() < 0.5 else None
        owner = sim.actor(lead.owner)
        result = leads.convert_lead(sim.services, owner, lead.ref, amount, stage=stage)
        deal = SimDeal(result.deal.number, lead.owner, 1 if stage else 0, amount, sim.now)
        # Conversion takes no close date; reps set one right after, for the forecast.
        deals.edit_deal(sim.services, owner, deal.ref, close_date=sim.close_date())
        sim.track(deal)


def _weighted(rng: Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]
