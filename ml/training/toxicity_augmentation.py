"""Sentences Parley writes to fill the gaps of the public toxicity data (threats, identity mentions).

The public training sets have 138 Jigsaw threats and few neutral sentences that name an identity
group, so a model trained on them alone misses threats and holds "I am a proud Muslim woman". This
module generates, deterministically from a seed, five families of labelled sentences; the training
report lists each family with its count and examples (``docs/TOXICITY_TRAINING.md``):

* ``identity_neutral``: neutral and positive statements about identity groups, all labels 0;
* ``identity_hateful``: generalising insults against a group, ``identity_attack``/``insult``/``toxicity`` 1;
* ``threat``: threats of violence against a reader, an author or a named person, ``threat``/``toxicity`` 1;
* ``violent_word_benign``: violent words used harmlessly ("this band killed it"), all labels 0;
* ``civil_disagreement``: polite and sarcastic disagreement with an article, all labels 0;

plus ``obfuscate()``, used to add leetspeak/spaced copies of toxic training rows.

None of these frames were taken from, or checked against, ``shared/data/eval/`` (the identity-bias
templates there are evaluation only); the word lists are ours. The demo's and the seeds' own comments
are deliberately absent, so the demo-outcome tests stay a fair check of what the model learned.
"""
from __future__ import annotations

import random
import re

GROUPS = [
    # religion
    "Muslim", "Christian", "Jewish", "Hindu", "Buddhist", "Sikh", "Catholic", "Protestant", "Mormon",
    "atheist", "evangelical",
    # ethnicity / nationality / origin
    "Black", "white", "Asian", "Latino", "Hispanic", "African", "African American", "Arab", "Chinese",
    "Mexican", "Indian", "Pakistani", "Nigerian", "Somali", "Korean", "Japanese", "Filipino",
    "Vietnamese", "Native American", "Indigenous", "Aboriginal", "Middle Eastern", "European",
    "Russian", "Ukrainian", "Polish", "Irish", "Italian", "Roma", "immigrant", "refugee", "migrant",
    # gender / sexuality
    "gay", "lesbian", "bisexual", "transgender", "trans", "queer", "nonbinary", "straight", "female",
    "male", "LGBTQ",
    # age / disability / other
    "old", "young", "elderly", "teenage", "disabled", "deaf", "blind", "autistic", "wheelchair-using",
    "mentally ill", "working-class", "poor", "rich",
]
PEOPLE = ["person", "woman", "man", "people", "family", "neighbour", "student", "teacher", "doctor",
          "writer", "kid", "couple", "friend", "colleague", "voter", "nurse"]
PLURAL_NOUNS = {"women", "men", "people", "immigrants", "refugees", "migrants", "Muslims", "Christians",
                "Jews", "Hindus", "Buddhists", "Sikhs", "Catholics", "Mormons", "atheists",
                "Black people", "white people", "Asians", "Latinos", "Hispanics", "Africans", "Arabs",
                "Mexicans", "Indians", "Pakistanis", "Nigerians", "Somalis", "Chinese people",
                "gay people", "lesbians", "bisexual people", "trans people", "transgender people",
                "queer people", "nonbinary people", "old people", "young people", "teenagers",
                "disabled people", "deaf people", "blind people", "autistic people", "the elderly",
                "poor people", "rich people", "Jewish people", "Roma", "feminists", "Indigenous people"}
PLURALS = sorted(PLURAL_NOUNS)

NEUTRAL_FRAMES = [
    "I am a {g} {p}.", "My neighbour is a {g} {p} and we get on well.", "As a {g} {p}, I found this article fair.",
    "Being {g} is part of who I am.", "She is a {g} {p} who runs the local library.",
    "The article quotes a {g} {p} from Leeds.", "Our new mayor is {g}.", "My best friend is {g}.",
    "He grew up in a {g} family.", "A {g} {p} won the regional chess title this year.",
    "I'm {g} and I support this proposal.", "We hired a {g} {p} last month and she is brilliant.",
    "The {g} community centre opens on Saturdays.", "Many {g} voters care about housing costs.",
    "There is nothing wrong with being {g}.", "Being a {g} {p} is wonderful.",
    "My grandmother was a {g} {p} who loved gardening.", "Proud to be {g}.",
    "The report interviewed {g} parents about school meals.", "I have {g} colleagues who agree with you.",
    "Is it true that the author is {g}?", "The festival celebrates {g} culture.",
    "I met a {g} {p} at the conference who works on climate policy.", "{G} {p}s deserve the same respect as anyone.",
    "The study followed 200 {g} families for ten years.", "A {g} {p} asked a good question at the meeting.",
]
PLURAL_NEUTRAL_FRAMES = [
    "{P} are welcome here.", "{P} have lived in this town for generations.", "I respect {P}.",
    "Many {P} volunteer at the food bank.", "{P} are as varied as any other group.",
    "The survey asked {P} about public transport.", "{P} deserve fair treatment by the courts.",
    "Some of my closest friends are {P}.", "The article is about {P} who started small businesses.",
    "{P} contribute a great deal to this city.", "I don't think {P} should be singled out.",
]
HATEFUL_FRAMES = [
    "{P} are {adj}.", "{P} are {adj} and {adj2}.", "All {P} are {adj}.", "{P} are nothing but {noun}.",
    "Typical {P}, {adj} as always.", "Never trust {P}, they are {adj}.", "{P} should go back where they came from.",
    "{P} are ruining this country.", "{P} don't deserve rights.", "I hate {P}.", "{P} are a disease.",
    "Get these {adj} {P} out of our neighbourhood.", "{P} are subhuman {noun}.", "You can't reason with {P}, they're {adj}.",
    "{P} breed like rats.", "No {P} should be allowed to vote.", "{P} are too {adj} to hold a job.",
]
HATE_ADJ = ["lazy", "hysterical", "stupid", "dirty", "filthy", "violent", "greedy", "disgusting", "worthless",
            "primitive", "criminals by nature", "vermin", "animals", "savages", "inferior", "parasites",
            "subhuman", "evil", "brainless", "dangerous"]
HATE_NOUN = ["parasites", "vermin", "animals", "scum", "trash", "savages", "criminals", "rats", "a plague"]

THREAT_FRAMES = [
    "I will {v} your {b}.", "I'm going to {v} your {b}.", "I will find you and {v} your {b}.",
    "I know where you live. I will {v} your {b}.", "Say that again and I'll {v} your {b}.",
    "Keep writing this and I will {v} your {b}.", "I will wait for you outside your office and {v} your {b}.",
    "Someone should {v} your {b} for writing this.", "If I see you in town I will {v} your {b}.",
    "{n}, I am going to {v} your {b}.", "{n}, if this goes through I will {v} your {b}.",
    "I'll come to your house and {v} your {b}.", "You'd better watch your back, I will {v} your {b}.",
    "I will make sure someone {v3} your {b}.", "Next time I see you I'm going to {v} your {b}.",
]
THREAT_WHOLE = [
    "I will kill you.", "I'm going to kill you and your family.", "You are a dead man.", "You're dead meat.",
    "I know where you live.", "I know where your kids go to school.", "Watch your back.",
    "I will hunt you down.", "You will not live to see next week.", "Someone should put a bullet in {n}.",
    "{n} deserves to be shot.", "I hope someone burns your house down with you in it.",
    "I will burn your house down.", "I'm going to shoot you.", "I will stab you.", "I will slit your throat.",
    "You'd better sleep with one eye open.", "I'll be waiting for you after work, {n}.",
    "We know where you live, {n}. Be careful.", "Keep talking and you'll end up in a ditch.",
    "I'll put you in the hospital.", "I will beat you until you stop breathing.",
    "One more article like this and you're finished, {n}. I mean it physically.",
    "{n} should be hanged for this.", "Hang {n} from the nearest tree.", "I'm coming for you, {n}.",
    "I'll make you disappear.", "I will run you over with my car.", "Your family won't be safe.",
]
THREAT_VERBS = ["break", "smash", "crush", "snap", "slit", "cut", "stab", "shoot", "bash in", "rip out",
                "burn", "beat", "cave in"]
THREAT_VERBS3 = ["breaks", "smashes", "crushes", "snaps", "slits", "cuts", "stabs", "shoots", "bashes in",
                 "rips out", "burns", "beats", "caves in"]
BODY = ["legs", "skull", "head", "face", "neck", "throat", "arms", "teeth", "fingers", "knees", "ribs", "jaw"]
NAMES = ["Margaret", "John", "Ms Okafor", "Mr Chen", "Sarah", "the author", "David", "Priya", "Tom",
         "Mrs Kowalski", "Ahmed", "the editor", "Councillor Reid", "Lucy", "Mr Alvarez"]

BENIGN_VIOLENT = [
    "This band absolutely killed it last night.", "Break a leg at the premiere tonight!",
    "The striker shot the ball past the keeper.", "I could murder a cup of tea right now.",
    "Their new album slays.", "The comedian destroyed the audience, I was crying with laughter.",
    "We smashed our fundraising target.", "The storm knocked out power across the county.",
    "She nailed the interview.", "My legs are killing me after that hike.",
    "The council should kill this proposal before it wastes more money.",
    "The film is about a soldier who is shot in the war.", "The article describes how the victim was stabbed.",
    "Police say the suspect threatened staff with a knife.", "He broke his leg skiing last winter.",
    "The report on knife crime is sobering.", "I would fight for this park with every vote I have.",
    "That argument is dead on arrival.", "They crushed the opposition in the election.",
    "Let's beat the deadline this time.", "The chef butchered the lamb expertly.",
    "This policy will hit working families hard.", "We need to attack the root causes of poverty.",
    "The article takes a shot at the government's record.", "I'm dying to read the next part.",
    "The bill was shot down in the Senate.", "Gun violence statistics are rising in the city.",
    "Boxing is a brutal sport but I love watching it.", "The historian explains how the king was beheaded.",
    "Crime novels with a murder in chapter one are my favourite.",
]
DISAGREE = [
    "I disagree with the author here.", "I respectfully disagree: the numbers don't support this.",
    "This argument ignores the cost to taxpayers.", "Interesting piece, but I think the conclusion is wrong.",
    "Oh great, another article telling us everything is fine. Sure.", "With respect, this is not how inflation works.",
    "I'm not convinced. The evidence cited is thin.", "Good try, but the author misses the main point.",
    "The writer clearly hasn't used public transport in years.", "Wow, what a surprise, the government is right again.",
    "I think you are mistaken about the history here.", "This is one-sided. Where is the other view?",
    "Nonsense. The study says the opposite.", "I strongly object to this policy and will vote against it.",
    "Sorry, but this reads like a press release.", "The author is wrong, and here is why: the data is from 2009.",
    "This is a terrible idea and I hope the council rejects it.", "What a naive take on a complex issue.",
    "Yeah, because cutting the library budget always works out so well.", "I couldn't disagree more.",
    "Brilliant. Another tax. Exactly what we needed.", "You have completely misread the report.",
    "This is wrong on every count, but thanks for writing it.", "I've lived here 40 years and this is not true.",
    "The headline is misleading.", "Bad policy, badly explained.", "I don't buy it.",
    "Not a single source in this whole piece? Come on.", "Strongly disagree, but I appreciate the debate.",
]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _clean(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


ZERO = {"toxicity": 0, "severe_toxicity": 0, "obscene": 0, "threat": 0, "insult": 0, "identity_attack": 0}


def generate(seed: int = 13) -> dict[str, list[tuple[str, dict[str, int]]]]:
    """Family name -> [(sentence, labels)], the same for the same seed."""
    rng = random.Random(seed)
    fam: dict[str, list[tuple[str, dict[str, int]]]] = {k: [] for k in (
        "identity_neutral", "identity_hateful", "threat", "violent_word_benign", "civil_disagreement")}
    seen = set()

    def add(family, text, labels):
        text = _clean(_cap(text))
        if text not in seen:
            seen.add(text)
            fam[family].append((text, {**ZERO, **labels}))

    for g in GROUPS:
        for frame in rng.sample(NEUTRAL_FRAMES, 18):
            add("identity_neutral", frame.format(g=g, G=_cap(g), p=rng.choice(PEOPLE)), {})
    for P in PLURALS:
        for frame in rng.sample(PLURAL_NEUTRAL_FRAMES, 4):
            add("identity_neutral", frame.format(P=P), {})
        for frame in rng.sample(HATEFUL_FRAMES, 6):
            a, a2 = rng.sample(HATE_ADJ, 2)
            add("identity_hateful", frame.format(P=P, g=P, p="", adj=a, adj2=a2, noun=rng.choice(HATE_NOUN)),
                {"toxicity": 1, "insult": 1, "identity_attack": 1})
    for frame in THREAT_FRAMES:
        for _ in range(14):
            k = rng.randrange(len(THREAT_VERBS))
            add("threat", frame.format(v=THREAT_VERBS[k], v3=THREAT_VERBS3[k], b=rng.choice(BODY), n=rng.choice(NAMES)),
                {"toxicity": 1, "threat": 1})
    for line in THREAT_WHOLE:
        for _ in range(3):
            add("threat", line.format(n=rng.choice(NAMES)), {"toxicity": 1, "threat": 1})
    for line in BENIGN_VIOLENT:
        add("violent_word_benign", line, {})
    for line in DISAGREE:
        add("civil_disagreement", line, {})
    return fam


_LEET = {"a": "@4", "e": "3", "i": "1!", "o": "0", "s": "$5", "t": "7", "l": "1"}


def obfuscate(text: str, rng: random.Random) -> str:
    """A look-alike spelling of a toxic text: leetspeak letters, spaced letters or starred vowels in
    some of its words (how abusive commenters dodge word filters)."""
    words = text.split()
    if not words:
        return text
    style = rng.choice(("leet", "spaced", "star"))
    idx = [i for i, w in enumerate(words) if len(w) >= 4] or list(range(len(words)))
    for i in rng.sample(idx, max(1, len(idx) // 3)):
        w = words[i]
        if style == "leet":
            words[i] = "".join(rng.choice(_LEET[c]) if c in _LEET and rng.random() < 0.6 else c for c in w.lower())
        elif style == "spaced":
            words[i] = " ".join(w)
        else:
            words[i] = re.sub(r"[aeiou]", "*", w, count=1)
    return " ".join(words)


# --------------------------------------------------------------------------- round three (issue 21)
# Identity terms in the registers people really write them in (a gay reader describing himself, a news
# line, a question, support), so naming one's identity is not read as abuse; and dehumanising or
# generalising statements about a group, labelled as identity attacks (not merely insults).
# Written for Parley; no frame is taken from shared/data/eval/ (its identity templates stay evaluation only).

ORIENTATION_TERMS = ["homosexual", "gay", "lesbian", "bisexual", "queer", "heterosexual", "straight", "trans",
                     "transgender", "nonbinary", "asexual", "pansexual", "intersex", "LGBT", "LGBTQ", "cisgender"]
OTHER_TERMS = ["Muslim", "Jewish", "Black", "African American", "Latina", "Latino", "Hispanic", "Mexican", "Asian",
               "Chinese", "Indian", "Arab", "Middle Eastern", "Christian", "Catholic", "Sikh", "Hindu", "Buddhist",
               "immigrant", "deaf", "blind", "disabled", "elderly", "older", "young", "teenage", "Native American",
               "white", "female", "male", "atheist"]
SELF_FRAMES = [
    "As a {t} man, I think the council got this one right.", "As a {t} woman I found this piece thoughtful.",
    "Speaking as someone who is {t}, I don't feel the article represents us.",
    "I'm {t} and I've lived on this street for thirty years.", "I am a {t} teacher and my pupils know it.",
    "My husband and I are both {t}, and we run the bakery on the corner.",
    "I came out as {t} when I was nineteen; my parents were wonderful about it.",
    "Being {t} has never stopped me doing my job.", "I'm a {t} nurse and I work nights at the hospital.",
    "I'm {t}, a dad of two, and I coach the under-tens.", "As a {t} voter I care most about housing.",
    "I'm {t} and I still disagree with most of this article.",
]
NEWS_FRAMES = [
    "The charity supports {t} teenagers who have been made homeless.", "A survey of {t} adults found most feel safe at work.",
    "{T} couples will be able to adopt under the new rules.", "The film follows a {t} family in 1980s Glasgow.",
    "The report says {t} pupils are more likely to be bullied.", "A {t} councillor was elected mayor last night.",
    "The museum opens an exhibition on {t} history this spring.", "Researchers interviewed 300 {t} people about healthcare.",
    "The first openly {t} bishop was ordained on Sunday.", "The club has started a league for {t} footballers.",
]
QUESTION_FRAMES = [
    "Is the author {t}? Not that it matters to the argument.", "Are there any {t} support groups in town?",
    "How do I tell my parents I'm {t}?", "Does anyone know a {t}-friendly doctor nearby?",
    "What does it mean to be {t}, exactly? Honest question.", "Were any {t} residents asked about this plan?",
    "Would a {t} candidate stand a chance here?", "Is it true the new headteacher is {t}?",
]
SUPPORT_FRAMES = [
    "{T} people deserve the same rights as everyone else.", "I'm proud of my {t} son.", "My daughter is {t} and I love her.",
    "Love is love, whether you're {t} or not.", "There is nothing wrong with being {t}.",
    "Our church welcomes {t} members with open arms.", "Happy pride to all my {t} friends!",
    "{T} teachers are just teachers.", "My {t} neighbours are the kindest people on the street.",
    "Being {t} is not a choice or a problem.",
]
NOUNS_FOR_TERMS = ["man", "woman", "person", "couple", "teenager", "friend", "colleague", "doctor", "neighbour",
                   "student", "parent", "writer"]
BARE_FRAMES = ["{t}", "{T}.", "{t} {n}", "A {t} {n}.", "{T} {n}s", "{T} and proud", "Proud {t} {n}.",
               "my {t} {n}", "Hello, I'm {t}.", "{T} {n} here."]

DEHUMANISE = [
    "{P} breed like rats.", "{P} are vermin.", "{P} are animals, not people.", "{P} are a disease on this country.",
    "{P} are a cancer eating this town alive.", "{P} multiply like cockroaches.", "{P} are infesting our streets.",
    "{P} are parasites living off the rest of us.", "{P} are a plague.", "{P} are subhuman.",
    "{P} are savages who can't be civilised.", "{P} spread like a virus.", "{P} are filth and always will be.",
    "{P} are less than human.", "{P} swarm in like locusts.",
]
GENERALISE = [
    "All {P} are liars.", "{P} are all criminals.", "{P} are lazy by nature.", "Every one of these {P} is a thief.",
    "{P} can't be trusted, it's in their blood.", "{P} are too stupid to run anything.",
    "{P} are hysterical and shouldn't be in charge.", "{P} only come here to sponge.",
    "{P} ruin every neighbourhood they move into.", "Never hire {P}, they're all the same.",
]
LEADS = ["Why are we listening to {P} on this?", "Another article defending {P}.", "Typical.", "Here we go again.",
         "Of course the council sides with them.", "The author should open her eyes.", "", "", ""]
TAILS = ["Send them all back.", "Get them out of our country.", "Nobody wants them here.", "Wake up, people.",
         "And they lecture us about tolerance.", "We should stop letting them in.", "", "", ""]
TARGETS_PLURAL = ["immigrants", "migrants", "refugees", "Muslims", "Jews", "gay people", "trans people",
                  "Black people", "Mexicans", "Roma", "women", "Chinese people", "Arabs", "lesbians",
                  "Somalis", "Asians", "Indians", "Catholics", "Hindus", "disabled people", "foreigners",
                  "asylum seekers", "Africans", "gypsies", "Pakistanis", "Poles"]


def generate_round3(seed: int = 13) -> dict[str, list[tuple[str, dict[str, int]]]]:
    """``identity_registers`` (all labels 0) and ``group_dehumanising`` (``toxicity`` + ``identity_attack``
    1; ``insult`` left unsupervised so a group attack is named as what it is), the same for the same seed."""
    rng = random.Random(seed + 21)
    fam: dict[str, list[tuple[str, dict[str, int]]]] = {"identity_registers": [], "group_dehumanising": []}
    seen: set[str] = set()

    def add(family, text, labels):
        text = _clean(text)
        text = text[:1].upper() + text[1:] if not text.startswith("{") else text
        if text not in seen:
            seen.add(text)
            fam[family].append((text, labels))

    frames = SELF_FRAMES + NEWS_FRAMES + QUESTION_FRAMES + SUPPORT_FRAMES
    for t in ORIENTATION_TERMS:
        for frame in rng.sample(frames, 22):
            add("identity_registers", frame.format(t=t, T=_cap(t)), dict(ZERO))
        for frame in rng.sample(BARE_FRAMES, 5):
            add("identity_registers", frame.format(t=t, T=_cap(t), n=rng.choice(NOUNS_FOR_TERMS)), dict(ZERO))
    for t in OTHER_TERMS:
        for frame in rng.sample(frames, 8):
            add("identity_registers", frame.format(t=t, T=_cap(t)), dict(ZERO))
        for frame in rng.sample(BARE_FRAMES, 3):
            add("identity_registers", frame.format(t=t, T=_cap(t), n=rng.choice(NOUNS_FOR_TERMS)), dict(ZERO))
    attack = {"toxicity": 1, "identity_attack": 1}
    for P in TARGETS_PLURAL:
        for frame in rng.sample(DEHUMANISE, 8) + rng.sample(GENERALISE, 4):
            core = frame.format(P=_cap(P)) if frame.startswith("{P}") else frame.format(P=P)
            lead, tail = rng.choice(LEADS).format(P=P), rng.choice(TAILS)
            add("group_dehumanising", f"{lead} {core} {tail}", dict(attack))
    return fam
