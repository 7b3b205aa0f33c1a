"""Comment-section pairs Parley writes for the stance model (listed in ``docs/STANCE_TRAINING.md``).

Debate corpora have no comments about the *article*: a reader who writes "Good post" or "this article
is garbage" takes the article's side or the opposite one, and a reply that says "exactly right" to
its parent takes the parent's side. These pairs teach that, seed-deterministically:

* ``praise``: (claim, praise of the article or its author) -> favor;
* ``scorn``: (claim, scorn for the article or its author) -> against;
* ``reply_agree`` / ``reply_disagree``: (a parent comment, a reply agreeing / disagreeing) -> favor / against;
* ``off_topic``: (claim, a comment about nothing in it) -> neutral;
* ``attack`` (recipe ``unseen`` only): (claim, an insult or threat aimed at the author) -> against: a
  reader who attacks the writer is not on the writer's side, and the shipped model called threats
  *favor* for want of any such pair.
No text here comes from an evaluation set.
"""
from __future__ import annotations

import random

PRAISE = [
    "Good post.", "Great article, thank you.", "I enjoyed reading this.", "Well said!", "Spot on, every word.",
    "Finally someone says it.", "Excellent piece, the author nails it.", "This is exactly right.",
    "Brilliant analysis, I'm sharing this.", "Thank you for writing this, it needed to be said.",
    "The author makes a compelling case.", "Couldn't have put it better myself.", "A clear and convincing argument.",
    "Bravo. More of this please.", "Superb article, totally agree.", "This should be required reading.",
    "Great job laying out the facts.", "So well argued. Convinced me.", "Yes! This is the point everyone misses.",
    "Thoughtful and persuasive, thank you.", "Hear, hear.", "100% agree with this article.",
    "The writer is right, and the evidence is overwhelming.", "One of the best pieces I've read on this.",
]
SCORN = [
    "This article is garbage.", "What a terrible piece.", "The author has no idea what they're talking about.",
    "Rubbish from start to finish.", "I can't believe this got published.", "Worst take I've read all year.",
    "This is propaganda, not journalism.", "The writer is completely wrong.", "Nonsense article.",
    "Utterly unconvincing.", "This piece is one-sided drivel.", "The author clearly didn't do any research.",
    "Embarrassing article. Do better.", "Nope. The whole argument falls apart.", "What a load of rubbish.",
    "I stopped reading halfway, it's that bad.", "This is simply wrong.", "Poorly argued and misleading.",
    "Cancel my subscription if this is what you publish.", "The premise of this article is false.",
    "Absolutely disagree with every point here.", "Shoddy reasoning from a biased writer.",
]
ATTACK = [
    "Whoever wrote this should be fired.", "The author is an idiot.", "You should be ashamed of yourself for writing this.",
    "I know where you live, writer.", "Someone should shut this author up for good.", "The writer is a liar and a fraud.",
    "Watch your back, journalist.", "People like the author are the problem.", "Keep writing garbage like this and see what happens.",
    "The author deserves everything that's coming to them.", "What a clown. Who pays you to write this?",
    "You'll regret publishing this.", "I hope the author gets what they deserve.", "Pathetic hack writer.",
    "Delete this trash and your account.", "This author is a disgrace to the paper.",
]
AGREE = [
    "Exactly right.", "I agree with you completely.", "Well put, you said what I was thinking.", "This. So much this.",
    "You're absolutely right.", "Agreed, and I'd add that it's even worse than that.", "Couldn't agree more.",
    "Yes, that's the key point.", "Thank you, this comment is spot on.", "Same here, I feel the same way.",
]
DISAGREE = [
    "You're wrong.", "I completely disagree with you.", "That's not true at all.", "No, that's nonsense.",
    "You have it backwards.", "Sorry, but you're mistaken.", "That argument makes no sense.",
    "I couldn't disagree more.", "Wrong on every count.", "That's simply false, look at the data.",
]
OFF_TOPIC = [
    "First!", "Does anyone know what time the library opens on Sunday?", "Can you fix the font size on mobile?",
    "My cat just knocked over my coffee.", "Is there a podcast version of this?", "Test comment, please ignore.",
    "Who else is reading this on the train?", "The crossword today was hard.", "How do I change my password?",
    "Happy new year everyone!", "Your site's search box doesn't work.", "Anyone watching the match tonight?",
]


def generate(targets: list[str], parents: list[tuple[str, int]], n_each: int, rng: random.Random,
             attack: bool = False):
    """(target, text, label index 0 favor / 1 against / 2 neutral, family) tuples.

    ``targets`` are training claims; ``parents`` are training comments with their own stance label
    (only their text is used as the target of a reply).
    """
    out = []
    families = [("praise", PRAISE, 0), ("scorn", SCORN, 1), ("off_topic", OFF_TOPIC, 2)]
    if attack:
        families.append(("attack", ATTACK, 1))
    for family, texts, label in families:
        for _ in range(n_each):
            out.append((rng.choice(targets), rng.choice(texts), label, family))
    for family, texts, label in (("reply_agree", AGREE, 0), ("reply_disagree", DISAGREE, 1)):
        for _ in range(n_each // 2):
            parent, _ = rng.choice(parents)
            out.append((parent, rng.choice(texts), label, family))
    return out
