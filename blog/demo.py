"""Demo content for Parley: role users, star bloggers, five opinion pieces and a threaded
discussion under each, written so that every kind of comment a moderator meets appears.

``demo_load()`` is idempotent: users are keyed on username, categories and articles on slug,
comments on (article, author, text); running it again creates nothing and changes nothing
(passwords and flags are set only when a user is created). Comments are created pending through
``blog.services.comment_create``, so a running worker classifies them like any reader's comment.

``DEMO_COMMENT_KINDS`` maps each demo comment's text to the kind it was written as, so tests and
docs can compare what the models did with what the comment is. A kind describes the comment
toward what it answers: the article for a top-level comment, the parent for a reply.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone as dt_timezone
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .importing import ImportFormatError, PageAlreadyImported, author_for_blog, import_essay, import_page
from .models import Article, AuthorProfile, Category, Comment
from .services import comment_create

User = get_user_model()

MODERATORS_GROUP = "Moderators"
POLICY_ADMINS_GROUP = "Policy admins"

KINDS = ("agree", "disagree_polite", "sarcastic", "off_topic", "insult", "obscene", "threat", "identity_attack")
# Kinds a moderator should see held or rejected; the rest is debate and must be published.
ABUSIVE_KINDS = frozenset({"insult", "obscene", "threat", "identity_attack"})


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


# The accounts a person uses to try the site; their passwords are printed by `load_demo`.
DEMO_LOGINS = (
    DemoLogin("reader", "reader-demo-pass", "reader: comments, likes, reports"),
    DemoLogin("moderator", "moderator-demo-pass", f"moderator: group '{MODERATORS_GROUP}' (moderation.can_moderate)"),
    DemoLogin(
        "admin",
        "admin-demo-pass",
        f"policy admin: group '{POLICY_ADMINS_GROUP}' (can_moderate, change_policy), staff and superuser",
    ),
)
# Every named author and commenter below shares this password, so a demo can log in as one and
# see, say, their rejected comment with its reason.
DEMO_NAMED_PASSWORD = "parley-demo-pass"


@dataclass(frozen=True)
class DemoAuthor:
    username: str
    display_name: str
    bio: str


STAR_BLOGGERS = (
    DemoAuthor(
        "margaret_okafor",
        "Margaret Okafor",
        "Transport economist and former city councillor. Writes about how cities move and where people can afford to live.",
    ),
    DemoAuthor(
        "tom_lindqvist",
        "Tom Lindqvist",
        "Chartered engineer who spent twenty years in power stations, half of them nuclear. Writes about energy and climate.",
    ),
    DemoAuthor(
        "priya_raman",
        "Priya Raman",
        "Secondary-school maths teacher and union rep. Writes about schools, work, and the time in between.",
    ),
)

DEMO_READERS = (
    "helen_w", "kwame_asante", "dan_p", "oldtimer62", "marcus_t", "lena_k", "nightowl", "gearhead_gary",
    "sofia_m", "rbhatt", "yusuf_o", "realtalk88", "jdavies", "grumpy_cyclist", "nomorelies",
)


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    title: str
    author: str
    category: str
    tags: tuple[str, ...]
    stance_claim: str
    published_at: datetime
    view_count: int
    like_count: int
    paragraphs: tuple[str, ...]


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=dt_timezone.utc)


DEMO_ARTICLES = (
    DemoArticle(
        slug="make-drivers-pay-to-enter-the-city-centre-at-rush-hour",
        title="Make drivers pay to enter the city centre at rush hour",
        author="margaret_okafor",
        category="Transport",
        tags=("congestion charge", "cities", "transport", "air quality"),
        stance_claim="Cities should charge drivers a fee to enter their centres at busy times.",
        published_at=_utc(2025, 9, 15, 7, 30),
        view_count=4812,
        like_count=57,
        paragraphs=(
            "Every weekday morning, tens of thousands of cars try to squeeze into a city centre whose streets were "
            "laid out for a tenth of that number. Nobody pays for the space they take, so everybody takes it, and the "
            "result is the queue we all complain about: buses stuck behind cars with one person in them, delivery vans "
            "double-parked, and an average speed across the centre that a fit cyclist beats without breaking a sweat.",
            "Road space at eight in the morning is scarce, and we hand it out by the worst method there is: to whoever "
            "is willing to sit in traffic longest. A congestion charge replaces the queue with a price. Drivers whose "
            "journeys are worth the fee keep driving and find the roads clearer; those who could travel at another "
            "time, by another route or another way are nudged to do so. London's charge cut traffic in its zone by "
            "about a fifth in the first years. Stockholm's was put to a referendum after a trial, and the queues "
            "shrank so visibly that a sceptical public voted to keep it.",
            "The usual objection is fairness: a flat charge weighs more on a care worker than on a consultant. That is "
            "a serious point, and the answer lies in the design and in the spending. Exempt blue-badge holders, let "
            "tradespeople make their first entry of the day free, discount residents, and, above all, put every penny "
            "of the revenue into buses that run every ten minutes into the night. Lower-income households are the "
            "least likely to drive into a city centre at rush hour in the first place, and the most likely to be on "
            "the bus that the charge finally lets move.",
            "Shopkeepers fear their customers will drive to the out-of-town retail park instead. The evidence from "
            "cities that have tried it points the other way: people who arrive on foot, by bike or by bus spend less "
            "per visit but come more often, and streets with less traffic are streets where people linger. Footfall, "
            "not parking spaces, is what fills the tills.",
            "Then there is the air. Nitrogen dioxide along our busiest central streets still breaches the legal limit "
            "most years, and the children who walk to the primary schools on those streets breathe it at exactly the "
            "height of an exhaust pipe. A charge that takes a fifth of the traffic off those streets is the cheapest "
            "public-health measure the council has.",
            "None of this works as a revenue grab bolted onto a city that offers no alternative to the car. Bring in "
            "the buses first, publish where every pound goes, and review the charge every year in public. Done that "
            "way, a congestion charge is not a war on motorists. It is the price of a scarce thing, honestly stated, "
            "spent on giving everyone a better way to get where they are going.",
        ),
    ),
    DemoArticle(
        slug="lock-the-phones-away-schools-should-be-phone-free-from-bell-to-bell",
        title="Lock the phones away: schools should be phone-free from bell to bell",
        author="priya_raman",
        category="Education",
        tags=("schools", "smartphones", "children", "mental health"),
        stance_claim="Schools should ban pupils' phones for the whole school day.",
        published_at=_utc(2025, 10, 2, 6, 45),
        view_count=6120,
        like_count=88,
        paragraphs=(
            "I have taught maths in secondary schools for fourteen years, and the biggest change in that time is not "
            "the curriculum, the exams or the buildings. It is the rectangle in every pocket. A phone on silent is "
            "never really silent: it is a question a fourteen-year-old keeps asking all lesson. Has anyone replied? "
            "What are they saying about me? Is that video everyone is talking about the one with me in it?",
            "Most schools already have a rule that phones stay in bags during lessons. In practice that rule is "
            "enforced forty times a day by forty different adults, each confrontation costing a few minutes of "
            "learning and a little goodwill. The rule that actually works is the simplest one: phones go into a "
            "locked pouch or a locker at the gate and come out at the end of the day. There is nothing to negotiate, "
            "so nobody negotiates.",
            "The lunchtime difference is the one that surprised me most. In schools that have gone phone-free, "
            "teachers describe noise returning to the canteen: conversation, card games, football. Bullying does not "
            "disappear, but it loses the audience and the permanence that a phone gives it. A cruel remark in a "
            "corridor is bad; a cruel remark filmed and shared to three hundred people by the end of lunch is "
            "something else.",
            "Parents worry, reasonably, about reaching their children. But schools managed for decades with a phone "
            "in the office, and they still have one. In a genuine emergency the school is the safest place to route "
            "a message through, not a group chat. And children with particular needs, a medical condition that is "
            "monitored through an app for example, can be given exceptions without unravelling the rule for everyone.",
            "Some argue that we should teach responsible use instead of banning. I agree that we should teach it, in "
            "lessons, with the phone as the subject. But nobody learns self-control by having the most compelling "
            "device ever made in their pocket for six hours a day while adults pretend it is not there. We do not "
            "teach road safety by letting children play on the motorway.",
            "A phone-free school day is not a war on technology. It is six and a half hours in which children are "
            "allowed to be bored, to talk to each other, and to concentrate on one thing at a time. They will have "
            "the rest of their lives to be online.",
        ),
    ),
    DemoArticle(
        slug="the-four-day-week-is-not-a-luxury-it-is-overdue",
        title="The four-day week is not a luxury; it is overdue",
        author="priya_raman",
        category="Work",
        tags=("four-day week", "productivity", "work-life balance"),
        stance_claim="Employers should move to a four-day working week with no loss of pay.",
        published_at=_utc(2025, 10, 20, 8, 0),
        view_count=3954,
        like_count=61,
        paragraphs=(
            "The five-day week is not a law of nature. It was a twentieth-century reform, won by unions and adopted "
            "by employers such as Henry Ford who found that rested workers made fewer mistakes and bought more of "
            "what they made. A century later we are far more productive per hour, yet most of us still work the same "
            "five days. The gains went somewhere, and it was not into our weekends.",
            "The large trials of the last few years are hard to ignore. Dozens of companies of every size moved to "
            "four days at full pay, on the condition that output held up. Most found that it did, and most chose to "
            "keep the new pattern once the trial ended. Sickness absence fell, staff turnover fell, and the people "
            "who had been about to leave stayed.",
            "How does a firm get five days of work into four? Mostly by removing work that was never worth doing: "
            "the standing meeting that could have been an email, the report nobody reads, the afternoon lost to "
            "exhaustion. Knowing you have four days concentrates the mind. Many workplaces already lose Friday "
            "afternoon to tiredness; a four-day week simply admits it.",
            "It is not only for office workers. In hospitals, schools and bus depots it looks different: rotas built "
            "around shorter weeks rather than everybody off on Fridays. That costs more staff at first, but those "
            "services are already paying for agency cover, burnout and people quitting. A job that leaves you a day "
            "to recover is a job people stay in.",
            "There are sectors where it will be hard, and firms that will try it and find it does not fit. That is an "
            "argument for doing it carefully, not for refusing to start. The question is not whether we can afford "
            "to give people a day back; it is how much longer we can afford not to.",
        ),
    ),
    DemoArticle(
        slug="we-cannot-decarbonise-without-building-new-nuclear-power-stations",
        title="We cannot decarbonise without building new nuclear power stations",
        author="tom_lindqvist",
        category="Energy",
        tags=("nuclear power", "climate", "energy"),
        stance_claim="Countries should build new nuclear power stations to cut carbon emissions.",
        published_at=_utc(2025, 11, 3, 9, 15),
        view_count=5230,
        like_count=43,
        paragraphs=(
            "I spent ten years working in a nuclear power station and ten in gas, so I have no romance about either. "
            "What I do have is a clear picture of what a grid needs on a windless January evening when the whole "
            "country comes home and switches the kettle on. At that moment, every megawatt has to come from "
            "somewhere, and for most of the last century that somewhere has been burning something.",
            "Wind and solar are the cheapest electricity we have ever built, and we should keep building them as fast "
            "as we can. But they produce when the weather allows, not when we need it. Batteries smooth out hours; "
            "nobody yet knows how to store enough to cover a fortnight of still, grey winter weather across a whole "
            "continent. Something has to run regardless, and if it is not gas, the choices are few.",
            "Nuclear is one of them. A reactor runs around the clock for sixty years, emits almost no carbon over its "
            "life, and takes up a fraction of the land of any alternative. France built most of its fleet in about "
            "fifteen years in the 1970s and 1980s and has had one of the cleanest grids in Europe ever since. Sweden "
            "did much the same.",
            "The objections are real. Recent Western projects have run years late and billions over budget. But "
            "those overruns come largely from building one-off designs with supply chains that have to be rebuilt "
            "from scratch each time. Countries that built reactors in series, with the same design and the same "
            "teams, got them done on time. The lesson is to build a fleet, not to build nothing.",
            "Waste is the other worry, and it is a smaller problem than its reputation. All the spent fuel a reactor "
            "produces in its lifetime fits on a site the size of a few tennis courts, and Finland has already opened "
            "a deep geological repository to hold it for good. Compare that with the waste from fossil fuels, which "
            "we have been dumping into the air we breathe.",
            "We will not decarbonise with a single technology. But every serious plan that keeps the lights on "
            "without gas includes firm, low-carbon power, and nuclear is the one we know works at scale. We should "
            "stop arguing and start building.",
        ),
    ),
    DemoArticle(
        slug="rent-control-would-hurt-the-renters-it-is-meant-to-help",
        title="Rent control would hurt the renters it is meant to help",
        author="margaret_okafor",
        category="Housing",
        tags=("rent control", "housing", "renters"),
        stance_claim="Rent control harms renters in the long run.",
        published_at=_utc(2025, 11, 14, 7, 0),
        view_count=2875,
        like_count=19,
        paragraphs=(
            "Renters in this city have had a miserable decade. Rents have risen far faster than wages, and a renewal "
            "letter can now mean a rise of a fifth or more. It is no surprise that capping rents is popular: it "
            "promises immediate relief to people who badly need it. I understand the appeal, and I think it would be "
            "a mistake.",
            "A cap on rents does nothing about the cause of high rents, which is that there are too few homes for the "
            "people who want to live here. Worse, it tends to reduce the supply further. When Berlin froze rents in "
            "2020, the number of flats advertised for rent fell sharply, as landlords sold up or moved their "
            "property into the unregulated market. Those who already had a flat were protected; those looking for one "
            "found the door closed. The court struck the law down within a year.",
            "San Francisco's experience is the one economists cite most. A careful study of its expansion of rent "
            "control found that the tenants covered did benefit, but landlords converted buildings into condominiums "
            "and the city's rental stock shrank, pushing up rents for everyone else. The policy helped the people "
            "lucky enough to be inside it and hurt the next generation of renters.",
            "There is also the problem of maintenance. When a landlord cannot raise the rent, the only way to protect "
            "a return is to spend less on the building. Tenants end up with a lower rent for a worse flat, and a "
            "reason never to move, even when a new job or a growing family means they should.",
            "What would actually help? Build many more homes, especially social housing that the council owns and "
            "lets at rents people can pay. Limit how much rents can rise within a tenancy, so nobody is priced out of "
            "the home they are living in with a month's notice. License landlords and enforce the standards we "
            "already have. None of that is as satisfying as a cap, but it helps the renter of ten years from now as "
            "well as the renter of today.",
        ),
    ),
)


@dataclass(frozen=True)
class DemoComment:
    key: str  # stable name, for replies to point at
    article: str  # the article's slug
    author: str
    kind: str
    text: str
    parent: str | None = None
    minutes_after: int = 0  # after the article's publication


_CONGESTION, _PHONES, _FOUR_DAY, _NUCLEAR, _RENT = (a.slug for a in DEMO_ARTICLES)

DEMO_COMMENTS = (
    # Congestion charge
    DemoComment("cc-helen", _CONGESTION, "helen_w", "agree", minutes_after=42, text=(
        "Thank you for this. I cycle my daughter to school along Market Street and the fumes at the lights are "
        "awful. If the money really goes into buses, I'd happily pay the charge myself on the days I need the car.")),
    DemoComment("cc-kwame", _CONGESTION, "kwame_asante", "agree", parent="cc-helen", minutes_after=75, text=(
        "Same here. Stockholm is the example that convinced me: people hated the trial until they saw the empty "
        "roads, then voted to keep it.")),
    DemoComment("cc-dan", _CONGESTION, "dan_p", "disagree_polite", minutes_after=95, text=(
        "I respect the argument, but I think you underestimate who actually drives in. I'm a self-employed plumber "
        "and my van is my workshop. A daily charge is a straight cut to my income, and I can't carry a boiler on the "
        "bus. I'd support it only with a proper exemption for trades.")),
    DemoComment("cc-margaret", _CONGESTION, "margaret_okafor", "disagree_polite", parent="cc-dan", minutes_after=130, text=(
        "That's a fair point, Dan, and the piece does suggest a free first entry for tradespeople. But I'd question "
        "whether the charge is a pure loss for you: if your van spends forty minutes less a day in queues, that's "
        "another job you can fit in.")),
    DemoComment("cc-oldtimer", _CONGESTION, "oldtimer62", "sarcastic", parent="cc-margaret", minutes_after=160, text=(
        "Oh wonderful, the council is going to give us all forty minutes a day back. And I'm sure they'll spend the "
        "money on buses, just like they spent the parking money on fixing the potholes. Brilliant plan, what could "
        "possibly go wrong.")),
    DemoComment("cc-marcus", _CONGESTION, "marcus_t", "sarcastic", minutes_after=210, text=(
        "Great idea. Let's charge people for the privilege of using the roads they already pay road tax for, then "
        "act all surprised when the high street closes. Genius.")),
    DemoComment("cc-lena", _CONGESTION, "lena_k", "disagree_polite", parent="cc-marcus", minutes_after=240, text=(
        "There's no such thing as road tax, though. Vehicle excise duty goes to the Treasury, and city streets are "
        "paid for out of council tax, which everyone pays whether they drive or not. The charge is about who uses "
        "the space at the busiest hours.")),
    DemoComment("cc-marcus-insult", _CONGESTION, "marcus_t", "insult", parent="cc-lena", minutes_after=255, text=(
        "Nobody asked you, you smug know-it-all. You are a pathetic idiot who has clearly never done a day's work in "
        "your life.")),
    DemoComment("cc-nightowl", _CONGESTION, "nightowl", "off_topic", minutes_after=300, text=(
        "Does anyone know if the farmers' market is still on Saturdays outside the library? I haven't been since the "
        "summer.")),
    DemoComment("cc-gary-threat", _CONGESTION, "gearhead_gary", "threat", minutes_after=340, text=(
        "Margaret Okafor, if this charge goes through I will wait for you outside the council offices and break both "
        "your legs. I know where you live. You have been warned.")),
    # Phones in schools
    DemoComment("ph-sofia", _PHONES, "sofia_m", "agree", minutes_after=30, text=(
        "As a parent of a Year 8, I'd welcome this. The group chats never stop, and half the fallings-out at school "
        "start on a phone at lunchtime. Knowing every parent is in the same boat makes it so much easier to say no.")),
    DemoComment("ph-rbhatt", _PHONES, "rbhatt", "agree", parent="ph-sofia", minutes_after=65, text=(
        "Agreed. My son's school brought in pouches last year and he admitted, grudgingly, that lunchtimes are better "
        "now. They play football again.")),
    DemoComment("ph-yusuf", _PHONES, "yusuf_o", "disagree_polite", minutes_after=90, text=(
        "I see the appeal, but I'd rather schools taught children to manage phones than pretend they don't exist. A "
        "blanket ban from bell to bell also worries me for kids with long journeys home or caring responsibilities; "
        "some parents really do need to reach them.\n\n"
        "I'd be happier with phones off in lessons and allowed at lunch.")),
    DemoComment("ph-priya", _PHONES, "priya_raman", "disagree_polite", parent="ph-yusuf", minutes_after=120, text=(
        "Those are real cases, Yusuf, and the rule I describe lets parents call the school office, which is how it "
        "worked for decades. Teaching self-control matters, but we don't teach it by putting the temptation in every "
        "pocket for six hours.")),
    DemoComment("ph-yusuf-2", _PHONES, "yusuf_o", "agree", parent="ph-priya", minutes_after=150, text=(
        "Fair enough, the office route is a reasonable answer. I'm not fully convinced, but I can see the case for "
        "trying it for a year and looking honestly at the results.")),
    DemoComment("ph-realtalk-obscene", _PHONES, "realtalk88", "obscene", minutes_after=180, text=(
        "What a load of absolute bullshit. Teachers can't control a fucking classroom so now they want to confiscate "
        "everyone's shit. Piss off.")),
    DemoComment("ph-jdavies", _PHONES, "jdavies", "sarcastic", minutes_after=220, text=(
        "Yes, because nothing says 'preparing children for the modern world' like pretending it's 1985. Shall we ban "
        "calculators next?")),
    DemoComment("ph-grumpy-insult", _PHONES, "grumpy_cyclist", "insult", parent="ph-jdavies", minutes_after=235, text=(
        "Only a brain-dead moron would compare a calculator to TikTok. Get a clue, you clown.")),
    DemoComment("ph-oldtimer", _PHONES, "oldtimer62", "off_topic", minutes_after=400, text=(
        "Off topic, but the comments on this site are much easier to read on my phone since the redesign. Well done "
        "to whoever did that.")),
    # Four-day week
    DemoComment("fd-lena", _FOUR_DAY, "lena_k", "agree", minutes_after=25, text=(
        "Our firm trialled it last year and nobody wants to go back. We cut the pointless meetings and somehow got "
        "more done. With Fridays off I do my life admin then, not on Monday morning at my desk.")),
    DemoComment("fd-dan", _FOUR_DAY, "dan_p", "disagree_polite", parent="fd-lena", minutes_after=70, text=(
        "Good for office workers, but how does a four-day week work for a nurse or a bus driver? Someone still has to "
        "cover Friday, which means hiring more staff. I'm not against it, I just don't see how it scales beyond desk "
        "jobs.")),
    DemoComment("fd-priya", _FOUR_DAY, "priya_raman", "disagree_polite", parent="fd-dan", minutes_after=110, text=(
        "It doesn't look the same everywhere, Dan. In shift-based services it usually means rotas with shorter weeks "
        "rather than closing on Fridays, and yes, it costs more staff at first. The trials suggest that lower "
        "sickness and turnover pay back a good part of that.")),
    DemoComment("fd-marcus", _FOUR_DAY, "marcus_t", "sarcastic", minutes_after=140, text=(
        "Four days? Why stop there. Let's all work one day a week for full pay and watch the economy sort itself "
        "out. I'm sure the bills will pay themselves too.")),
    DemoComment("fd-nomorelies-identity", _FOUR_DAY, "nomorelies", "identity_attack", minutes_after=170, text=(
        "Of course a woman wants to work less. Women are lazy and hysterical and should never be put in charge of "
        "anything that matters. That's why every company they run goes under.")),
    DemoComment("fd-kwame", _FOUR_DAY, "kwame_asante", "agree", minutes_after=200, text=(
        "Really well argued. The point about output per hour is the one people miss: we work some of the longest "
        "hours in Europe and get less out of each of them.")),
    DemoComment("fd-nightowl", _FOUR_DAY, "nightowl", "off_topic", parent="fd-kwame", minutes_after=230, text=(
        "Speaking of Europe, has anyone been to Lisbon recently? I'm thinking of going in the spring and would love "
        "some restaurant tips.")),
    DemoComment("fd-realtalk-insult", _FOUR_DAY, "realtalk88", "insult", minutes_after=260, text=(
        "Priya Raman is a lazy, whining parasite, and this article is garbage written by someone too stupid to hold "
        "down a real job.")),
    # Nuclear power
    DemoComment("nu-jdavies", _NUCLEAR, "jdavies", "agree", minutes_after=35, text=(
        "Finally someone says it plainly. France cleaned up its grid in fifteen years with nuclear; we've spent "
        "thirty arguing about it. Build them.")),
    DemoComment("nu-sofia", _NUCLEAR, "sofia_m", "agree", parent="nu-jdavies", minutes_after=60, text=(
        "Exactly. And the waste problem is much smaller than people think. Finland already has a permanent "
        "repository.")),
    DemoComment("nu-helen", _NUCLEAR, "helen_w", "disagree_polite", minutes_after=85, text=(
        "I'm not anti-nuclear, but I think the numbers have moved on. Hinkley Point C is years late and billions "
        "over budget, while wind and solar keep getting cheaper. Wouldn't the same money buy bigger carbon cuts if "
        "it went into renewables and storage?")),
    DemoComment("nu-tom", _NUCLEAR, "tom_lindqvist", "disagree_polite", parent="nu-helen", minutes_after=120, text=(
        "A fair challenge, Helen. Wind and solar are cheaper per unit, but they don't run on still winter nights, and "
        "storage for weeks rather than hours doesn't exist at scale yet. The overruns are real; they are mostly the "
        "cost of building one-off plants, which is an argument for building a fleet, not none.")),
    DemoComment("nu-grumpy", _NUCLEAR, "grumpy_cyclist", "sarcastic", parent="nu-tom", minutes_after=150, text=(
        "Ah yes, the fleet. Because if one project is a decade late and triple the price, building ten of them is "
        "obviously how you save money. Flawless logic.")),
    DemoComment("nu-rbhatt", _NUCLEAR, "rbhatt", "disagree_polite", parent="nu-grumpy", minutes_after=185, text=(
        "It's not as daft as it sounds. South Korea built reactors in series on time and on budget precisely because "
        "the teams and the supply chain carried over from one plant to the next.")),
    DemoComment("nu-gary-obscene", _NUCLEAR, "gearhead_gary", "obscene", minutes_after=220, text=(
        "Nuclear is shit, renewables are shit, this whole fucking debate is shit. Stop wanking on about the grid.")),
    DemoComment("nu-realtalk-identity", _NUCLEAR, "realtalk88", "identity_attack", minutes_after=260, text=(
        "Why are we taking energy advice from foreigners? Immigrants are a plague on this country: they breed like "
        "rats, take our jobs and then lecture us. Send every last one of them back.")),
    # Rent control
    DemoComment("rc-yusuf", _RENT, "yusuf_o", "disagree_polite", minutes_after=40, text=(
        "I understand the economics, but tenants in this city are getting 20% rises at renewal. 'Build more homes' "
        "is right, but it takes a decade. What are renters meant to do in the meantime? A cap on rises within a "
        "tenancy seems a reasonable bridge.")),
    DemoComment("rc-margaret", _RENT, "margaret_okafor", "disagree_polite", parent="rc-yusuf", minutes_after=90, text=(
        "That's the strongest version of the case, Yusuf, and I have much more sympathy for limiting rises within a "
        "tenancy than for hard caps on rents between tenancies. It's the second kind that Berlin and San Francisco "
        "tried, and in both places landlords sold up.")),
    DemoComment("rc-oldtimer", _RENT, "oldtimer62", "agree", minutes_after=120, text=(
        "Spot on. My son rents in a city with rent control, and the only flats going are ones nobody has maintained "
        "in years. The landlord has no reason to fix anything.")),
    DemoComment("rc-lena", _RENT, "lena_k", "sarcastic", minutes_after=150, text=(
        "Ah yes, the free market will look after renters, just as gracefully as it has for the last twenty years. "
        "Truly, landlords are the real victims here.")),
    DemoComment("rc-gary-insult", _RENT, "gearhead_gary", "insult", parent="rc-lena", minutes_after=170, text=(
        "Shut up, you whiny entitled brat. Get a job and buy a house like an adult instead of crying on the "
        "internet.")),
    DemoComment("rc-nomorelies-threat", _RENT, "nomorelies", "threat", minutes_after=200, text=(
        "Margaret, I know which house is yours. I am going to come round one night and smash your skull in with a "
        "brick, and nobody will stop me.")),
    DemoComment("rc-kwame", _RENT, "kwame_asante", "off_topic", minutes_after=260, text=(
        "Unrelated, but is there a way to get an email when someone replies to my comment? I keep missing replies.")),
)

# Comment text -> the kind it was written as (see the module docstring).
DEMO_COMMENT_KINDS: dict[str, str] = {c.text: c.kind for c in DEMO_COMMENTS}
assert len(DEMO_COMMENT_KINDS) == len(DEMO_COMMENTS), "demo comment texts must be unique"
assert {c.kind for c in DEMO_COMMENTS} == set(KINDS)

# The seed documents that `load_demo --with-seeds` imports. The page carries its own title and
# metadata; the essay is a bare body, so its title and claim are given here.
SEED_PAGES = ("003_1038f898581a8cd7.txt",)


@dataclass(frozen=True)
class SeedEssay:
    filename: str
    title: str
    stance_claim: str
    category: str
    tags: tuple[str, ...]


SEED_ESSAYS = (
    SeedEssay(
        filename="000_2a700f412a90e238.txt",
        title="From the Soviet Union to Russia: China's Friendship with Its Northern Neighbour",
        stance_claim="China is Russia's most sincere partner.",
        category="News",
        tags=("china", "russia", "soviet union", "history"),
    ),
)
SEED_BLOG_NAME = "Readers’ Blog"  # as the seed page spells it, so both seeds share one author


def default_seeds_dir() -> Path:
    return Path(settings.BASE_DIR).parent / "shared" / "seeds"


@dataclass
class DemoResult:
    users_created: int = 0
    articles_created: int = 0
    comments_created: int = 0
    comments_existing: int = 0
    seed_messages: list[str] = field(default_factory=list)
    seed_errors: list[str] = field(default_factory=list)


def ensure_roles() -> tuple[Group, Group]:
    """The "Moderators" and "Policy admins" groups with their permissions; returns (moderators,
    policy_admins). Permissions are added, never removed, so an admin's extra grants survive."""
    can_moderate = Permission.objects.get(content_type__app_label="moderation", codename="can_moderate")
    change_policy = Permission.objects.get(content_type__app_label="moderation", codename="change_policy")
    moderators, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    moderators.permissions.add(can_moderate)
    policy_admins, _ = Group.objects.get_or_create(name=POLICY_ADMINS_GROUP)
    policy_admins.permissions.add(can_moderate, change_policy)
    return moderators, policy_admins


def _user(*, username: str, password: str, result: DemoResult, **flags):
    user, created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.org", **flags})
    if created:
        # Only at creation: re-running the demo must not undo a password someone changed.
        user.set_password(password)
        user.save(update_fields=["password"])
        result.users_created += 1
    return user


def _demo_users(result: DemoResult) -> dict[str, object]:
    moderators, policy_admins = ensure_roles()
    logins = {login.username: login.password for login in DEMO_LOGINS}
    users = {
        "reader": _user(username="reader", password=logins["reader"], result=result),
        "moderator": _user(username="moderator", password=logins["moderator"], result=result),
        "admin": _user(username="admin", password=logins["admin"], result=result, is_staff=True, is_superuser=True),
    }
    users["moderator"].groups.add(moderators)
    users["admin"].groups.add(policy_admins)
    for blogger in STAR_BLOGGERS:
        user = _user(username=blogger.username, password=DEMO_NAMED_PASSWORD, result=result)
        AuthorProfile.objects.get_or_create(
            user=user, defaults={"display_name": blogger.display_name, "bio": blogger.bio, "is_star_blogger": True}
        )
        users[blogger.username] = user
    for username in DEMO_READERS:
        users[username] = _user(username=username, password=DEMO_NAMED_PASSWORD, result=result)
    return users


def _demo_articles(users: dict[str, object], result: DemoResult) -> dict[str, Article]:
    articles = {}
    for spec in DEMO_ARTICLES:
        category, _ = Category.objects.get_or_create(slug=spec.category.lower(), defaults={"name": spec.category})
        article, created = Article.objects.get_or_create(
            slug=spec.slug,
            defaults={
                "title": spec.title,
                "author": users[spec.author],
                "category": category,
                "body": "\n\n".join(spec.paragraphs),
                "stance_claim": spec.stance_claim,
                "published_at": spec.published_at,
                "view_count": spec.view_count,
                "like_count": spec.like_count,
            },
        )
        if created:
            article.tags.set(list(spec.tags))
            result.articles_created += 1
        articles[spec.slug] = article
    return articles


def _demo_comments(users: dict[str, object], articles: dict[str, Article], result: DemoResult) -> None:
    stored: dict[str, Comment] = {}
    for spec in DEMO_COMMENTS:  # parents come before their replies
        article, author = articles[spec.article], users[spec.author]
        existing = Comment.objects.filter(article=article, author=author, text=spec.text).first()
        if existing:
            stored[spec.key] = existing
            result.comments_existing += 1
            continue
        parent = stored[spec.parent] if spec.parent else None
        comment = comment_create(article=article, author=author, text=spec.text, parent=parent)
        # Backdate to a plausible time after publication; the worker is enqueued after commit.
        created_at = article.published_at + timedelta(minutes=spec.minutes_after)
        Comment.objects.filter(pk=comment.pk).update(created_at=created_at)
        comment.created_at = created_at
        stored[spec.key] = comment
        result.comments_created += 1


def _load_seeds(seeds_dir: Path, result: DemoResult) -> None:
    if not seeds_dir.is_dir():
        result.seed_messages.append(f"No seed directory at {seeds_dir}; seeds skipped.")
        return
    for name in SEED_PAGES:
        path = seeds_dir / name
        if not path.is_file():
            result.seed_messages.append(f"{path}: not found; skipped.")
            continue
        try:
            article = import_page(path)
        except PageAlreadyImported as exc:
            result.seed_messages.append(f"{path}: {exc}; skipped.")
        except ImportFormatError as exc:
            result.seed_errors.append(f"{path}:{exc.line_number}: {exc.message}")
        else:
            result.seed_messages.append(f"{path}: imported '{article.title}' with {article.comments.count()} comments.")
    for essay in SEED_ESSAYS:
        path = seeds_dir / essay.filename
        if not path.is_file():
            result.seed_messages.append(f"{path}: not found; skipped.")
            continue
        try:
            with transaction.atomic():
                author = author_for_blog(blog_name=SEED_BLOG_NAME)
                article, created = import_essay(
                    path.read_text(encoding="utf-8-sig"),
                    title=essay.title,
                    author=author,
                    stance_claim=essay.stance_claim,
                    category=essay.category,
                    tags=list(essay.tags),
                )
        except ImportFormatError as exc:
            result.seed_errors.append(f"{path}:{exc.line_number}: {exc.message}")
            continue
        if created:
            result.seed_messages.append(f"{path}: imported '{article.title}'.")
        else:
            result.seed_messages.append(f"{path}: already imported as '{article.title}' ({article.slug}); skipped.")


def demo_load(*, with_seeds: bool = False, seeds_dir: Path | None = None) -> DemoResult:
    """Create (or find) the demo users, roles, articles and comments in one transaction; with
    ``with_seeds``, then import the seed documents, each in its own transaction."""
    result = DemoResult()
    with transaction.atomic():
        users = _demo_users(result)
        articles = _demo_articles(users, result)
        _demo_comments(users, articles, result)
    if with_seeds:
        _load_seeds(seeds_dir or default_seeds_dir(), result)
    return result
