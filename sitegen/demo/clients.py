"""The demo's clients: three brands in three languages and currencies, each with campaigns, videos, trends,
creators, branded hashtags and discount codes; generic clients for benchmarks borrow from them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Campaign:
    name: str
    ad_group: str
    start: float = 0.0  # active span as fractions of the data range, so it fits any number of months
    end: float = 1.0
    budget: float = 150.0  # daily, before the client's scale
    roas: float | None = 2.5  # None = a likes objective that sells next to nothing


@dataclass(frozen=True)
class ClientSpec:
    slug: str
    name: str
    locale: str = "en_US"
    currency: str = "USD"
    timezone: str = "UTC"
    color: str = "#2563eb"
    short: str = ""  # name used in commentary prose
    scale: float = 1.0  # audience and budget size
    campaigns: tuple[Campaign, ...] = ()
    titles: tuple[str, ...] = ()
    trends: tuple[str, ...] = ()
    creators: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    codes: tuple[tuple[str, str], ...] = ()  # (code, source): a campaign name, or a text with a creator's handle
    fees: dict = field(default_factory=dict)  # creator handle -> fee (client.toml [creators])
    fading_trend: str = ""  # a trend of `trends` whose lift fades month by month
    viral_title: str = "Viral video"
    crisis_title: str = "Update"
    crisis_topic: str = "a product change"
    notes: tuple[str, ...] = ()  # one client-specific paragraph per commentary month
    sections: tuple[str, ...] = ()  # front-matter section selection for the last month
    targets: dict = field(default_factory=dict)


DEMO_CLIENTS = [
    ClientSpec(
        "nordlicht-kosmetik", "Nordlicht Kosmetik", "de_DE", "EUR", "Europe/Berlin", "#7c3aed",
        campaigns=(Campaign("Brand Awareness – Likes", "Broad 18-34", budget=140, roas=None),
                   Campaign("Glow Serum – Conversion", "Retargeting 30d", budget=160, roas=3.2),
                   Campaign('<b>Summer</b> & "Sale" <img src=x onerror=alert(1)>', "Lookalike 2%", 0, 0.55, 120, 2.4),
                   Campaign("Herbst-Glow – Spark Ads", "Interessen: Hautpflege", 0.5, 1, 110, 1.8),
                   Campaign("Spark Ads – @hautnah.mia", "Creator-Boost", 0.3, 1, 50, 2.1)),
        titles=("Meine Morgenroutine in 60 Sekunden", "3 Fehler beim <Auftragen>",
                "Glow Serum vs. Drogerie – ehrlicher Test", "Q&A: Eure Fragen zur Hautpflege",
                "So wirkt Vitamin C wirklich", "Hinter den Kulissen: Abfüllung in Hamburg",
                '"Zu schön, um wahr zu sein?" – Reaktion', "Hautpflege für Männer, ganz einfach",
                "Winterhaut? 4 Tipps", "<i>Neu</i>: Nachtcreme mit Bakuchiol", "Unboxing & erster Eindruck",
                "Dermatologin erklärt: SPF im Herbst"),
        trends=("Get Ready With Me", "Glass Skin Challenge", "Originalton – nordlicht.kosmetik", "Skincare ASMR"),
        creators=("@lena.skincare", "@hautnah.mia", "@glow.with.jana"),
        hashtags=("#nordlichtglow", "#glowmitnordlicht"),
        codes=(("GLOW10", "Glow Serum – Conversion"),
               ("SOMMER15", '<b>Summer</b> & "Sale" <img src=x onerror=alert(1)>'), ("LENA15", "@lena.skincare"),
               ("MIA10", "Kooperation @Hautnah.Mia"), ("VITC", "So wirkt Vitamin C wirklich")),
        fees={"@lena.skincare": 900.0, "hautnah.mia": 600.0}, fading_trend="Glass Skin Challenge",
        viral_title="Glas-Haut in 30 Sekunden – der Trick", crisis_title="Neue Rezeptur – das ist anders",
        crisis_topic="die geänderte Rezeptur des Glow Serums",
        notes=("Die Kooperation mit **@lena.skincare** läuft gut an: Ihr Code **LENA15** bringt regelmäßig "
               "Bestellungen.",
               "Die Sommer-Kampagne endete Anfang September planmäßig; **Herbst-Glow – Spark Ads** hat ihren Platz "
               "übernommen.",
               "**Herbst-Glow – Spark Ads** lief den ersten vollen Monat; ihr ROAS liegt noch unter dem der "
               "Glow-Serum-Kampagne."),
        targets={"likes": 60000, "roi": 0.7, "cpa": 25.0, "reply_rate": 0.8, "engagement_rate": 0.05}),
    ClientSpec(
        "harbor-coffee", "Harbor Coffee Co.", "en_US", "USD", "America/New_York", "#92400e",
        scale=1.4,
        campaigns=(Campaign("Cold Brew Awareness – Likes", "Broad US 18-44", budget=150, roas=None),
                   Campaign("Cold Brew Launch – Conversions", "Interest: Coffee", 0.1, 1, 170, 2.8),
                   Campaign("Subscription – Retargeting", "Site visitors 30d", budget=120, roas=3.6),
                   Campaign('Back to School "Fuel" Promo', "Students 18-24", 0.3, 0.6, 130, 2.2),
                   Campaign("Holiday Blend – Pre-order", "Lookalike 1%", 0.75, 1, 100, 1.6),
                   Campaign("Spark – @maya.brews", "Creator boost", 0.2, 1, 60, 2.4)),
        titles=("How we roast in small batches", "Cold brew in 3 steps", 'Barista reacts to "gas station" coffee',
                "POV: your first sip at 6 a.m.", "Latte art fails & wins", "<b>NEW</b> Pumpkin Cold Foam",
                "Q&A: decaf, caffeine & sleep", "Behind the counter: Saturday rush", "Pour-over vs. French press",
                "What $5 gets you at Harbor", "Meet our roaster, Dana", "Iced latte, 3 ways"),
        trends=("cloud coffee", "Espresso – sped up", "Day in my life", "Get the Look"),
        creators=("@maya.brews", "@latteart.leo", "@barista.bea"), hashtags=("#harborcoffee",),
        codes=(("COLDBREW20", "Cold Brew Launch – Conversions"), ("MAYA10", "@maya.brews"),
               ("LEO5", "TikTok @LatteArt.Leo"), ("BREW3", "Cold brew in 3 steps")),
        fees={"@maya.brews": 1500.0, "@barista.bea": 400.0}, fading_trend="Espresso – sped up",
        viral_title="We tried the cloud coffee trend", crisis_title="Subscription update – new prices",
        crisis_topic="the subscription price increase",
        notes=('The **Back to School "Fuel" Promo** went live in August and runs until mid-September.',
               "We prepared the **Holiday Blend – Pre-order** campaign for an early-October launch.",
               "**Holiday Blend – Pre-order** launched on schedule; its ROAS is still low while the audience "
               "builds."),
        targets={"likes": 90000, "roi": 1.0, "cpa": 20.0, "reply_rate": 0.75, "follower_growth": 4000}),
    ClientSpec(
        "fjord-outdoor", "Fjord & Sons <Outdoor>", "en_GB", "GBP", "Europe/London", "#0369a1",
        short="Fjord & Sons", scale=0.7, sections=("summary", "engagement", "paid", "community"),
        campaigns=(Campaign("Brand Awareness – Likes", "Broad UK 18-54", budget=110, roas=None),
                   Campaign("Winter Jackets – Conversions", "Interest: Hiking", 0.45, 1, 170, 2.6),
                   Campaign("Trail Boots <Summer> Clearance", "Lookalike 3%", 0, 0.5, 140, 2.0),
                   Campaign("Retargeting – Cart Abandoners", "Cart 14d", budget=90, roas=3.5),
                   Campaign("Spark – @alex.outdoors", "Creator boost", 0.4, 1, 45, 2.2)),
        titles=("Packing list: 3 days in the Highlands", "Waterproof test: 10 minutes under a waterfall",
                'Boots that survived "The Pennine Way"', "Wild camping – do's & don'ts", "<Layering> 101 for autumn",
                "How our jackets are made", "Sunrise on Snowdon", "Kit check with a mountain guide",
                "Rainy-day hike? Here's how", "Repair, don't replace"),
        trends=("Hot Girl Walk", "Pack With Me", "original sound – fjordandsons"),
        creators=("@alex.outdoors", "@wildcamp.wren", "@trail.tom"), hashtags=("#fjordandsons", "#wildcampuk"),
        codes=(("TRAIL15", "Trail Boots <Summer> Clearance"), ("FJORD10", "Retargeting – Cart Abandoners"),
               ("ALEX20", "@alex.outdoors"), ("WREN10", "Creator @wildcamp.wren"),
               ("REPAIR", "Repair, don't replace")),
        fees={"@alex.outdoors": 700.0, "@WildCamp.Wren": 350.0}, fading_trend="Pack With Me",
        viral_title="Sunrise on Ben Nevis in 20 seconds", crisis_title="Pre-order update: winter jackets",
        crisis_topic="late deliveries of winter jacket pre-orders",
        notes=("Our **Trail Boots Clearance** is winding down as planned and ends with August.",
               "**Winter Jackets – Conversions** started in late August and already sells steadily.",
               "Creator partner **@alex.outdoors** keeps bringing in orders through code **ALEX20**."),
        targets={"likes": 40000, "roi": 1.0, "cpa": 30.0, "reply_rate": 0.85, "ctr": 0.01}),
]


def generic_client(i: int) -> ClientSpec:
    """Client i for benchmarks: content borrowed from the demo client of the same locale."""
    base = DEMO_CLIENTS[[1, 0, 2][i % 3]]  # en_US/USD, de_DE/EUR, en_GB/GBP in turn
    return replace(base, slug=f"client-{i + 1:04d}", name=f"Client {i + 1:04d}", short="", notes=(), sections=(),
                   scale=0.5 + (i * 37 % 100) / 50)
