"""Parley's threat functional set: threats as a moderator reads them, and their harmless look-alikes.

Written for Parley (no public data, nothing from ``shared/data/eval/``, none of the demo's or the
seeds' comments). ``python -m ml.evaluation.threats_functional`` rewrites
``ml/evaluation/data/threats_functional.csv`` (columns ``text,category,label,split``) from the
families below, the same every time.

Categories (label 1 = a threat of violence; 0 = harmless, must be published):
* ``direct``: "I will hurt you" with an act named;
* ``veiled``: no act or weapon named, the writer shows they know where the target is (home, office,
  car, children's way home) and lets that speak;
* ``wish``: violence wished on someone, often with the writer volunteering ("someone should..., and
  I'd gladly...");
* ``group``: violence threatened or called for against a group of people;
* ``figure_of_speech``, ``sport``, ``reporting``, ``condemning``, ``fiction``: violent words that
  threaten nobody.

Every category is made of template *families*; a whole family is either ``train`` or ``test``
(``TEST_FAMILIES``), so near-duplicates never straddle the split. The train half is training data
(``ml.training.toxicity`` reads it); the test half is evaluation only.
"""
from __future__ import annotations

import csv
from pathlib import Path

CSV_PATH = Path(__file__).resolve().parent / "data" / "threats_functional.csv"
THREAT_CATEGORIES = ("direct", "veiled", "wish", "group")
HARMLESS_CATEGORIES = ("figure_of_speech", "sport", "reporting", "condemning", "fiction")

NAMES = ["Helen", "Mr Barker", "Councillor Singh", "Ms Dubois", "Gareth", "the author", "Mrs Adeyemi", "Paul",
         "Dr Novak", "Fiona", "Mr Haddad", "Ruth"]
GROUPS = ["Muslims", "Jews", "immigrants", "gay people", "trans people", "refugees", "Black people",
          "Christians", "Roma", "Hindus", "Mexicans", "lesbians"]
PLACES_HOME = ["the blue house on Carver Street", "number 14", "the flat above the bakery", "the end terrace by the park",
               "the house with the red door", "that cottage on Mill Lane"]
CARS = ["silver Corolla", "grey Golf", "white van", "black Audi", "green Fiesta", "blue Passat"]

# category -> family name -> sentences
FAMILIES: dict[str, dict[str, list[str]]] = {
    "direct": {
        "d_will_act": [f"{n}, I am going to {a}." for n, a in zip(NAMES, [
            "beat you until you can't stand", "break your jaw", "put you in a wheelchair", "cut you",
            "knock your teeth out", "strangle you with my bare hands", "stab you the next time I see you",
            "snap your neck", "set you on fire", "run you down in the street", "crack your skull open",
            "shoot you in the face"])],
        "d_conditional": [f"Write one more word about this and I will {a}." for a in [
            "burn your house down", "put you in the ground", "break every bone in your hand", "hurt you badly",
            "bury you", "gut you like a fish", "beat the life out of you", "end you"]],
        "d_meet": [f"{w}, and when I find you I will {a}." for w, a in zip(
            ["I'm coming to your office tomorrow", "I'll be at your talk on Friday", "I'm driving over tonight",
             "See you at the town hall meeting", "I'm flying out there next week", "I'll be at the school gates"],
            ["beat you bloody", "slit your throat", "make you bleed", "break your arms", "kill you", "hurt you"])],
        "d_promise": [f"{s}" for s in [
            "I swear I will kill you for this.", "You are going to die, and I'll be the one who does it.",
            "I'll make you pay for this with your blood.", "I'm going to hurt you so badly your mother won't recognise you.",
            "Mark my words, I will put a bullet in you.", "I promise you I will break your legs.",
            "You will bleed for what you wrote.", "I'm going to beat you to death, you coward."]],
        "d_you_and_family": [f"I will {a} you and {w}." for a, w in zip(
            ["kill", "hurt", "shoot", "stab", "burn", "beat"],
            ["everyone you love", "your wife", "your whole family", "your little brother", "your parents", "your kids"])],
        "d_short": ["I'm going to kill you.", "I will end your life.", "You're dead, I'll see to it myself.",
                    "I will hurt you.", "I'll break you in half.", "I'm going to cave your head in."],
    },
    "veiled": {
        "v_know_home": [f"Nice place you've got, {n}. {h} is easy to find." for n, h in zip(NAMES, PLACES_HOME * 2)],
        "v_car": [f"{n}, that {c} of yours is parked in the same spot every night. Be a shame if something happened."
                  for n, c in zip(NAMES, CARS * 2)],
        "v_kids": [f"Your kids walk home {w} every afternoon, don't they, {n}? Think about that before you publish again."
                   for w, n in zip(["past the canal", "along Station Road", "through the park", "by the old mill",
                                    "down the alley behind the shops", "across the playing fields"], NAMES)],
        "v_watching": [f"{s}" for s in [
            "I've been watching you leave work at six. You should change your routine.",
            "We know which gym you go to and what time you finish. Keep writing.",
            "Lovely photos of your daughter's school on your feed. Very helpful to people like me.",
            "I followed you home from the station last night. You didn't notice, did you?",
            "I know what time your wife gets back from her shift. Sleep well.",
            "Your office has a back entrance with no camera. Just so you know that I know."]],
        "v_office": [f"{n}, your office is on the third floor, isn't it? {e}" for n, e in zip(NAMES, [
            "I'll be waiting in the car park.", "Windows can break, you know.", "Hope you've got good locks.",
            "Fire escapes are so handy.", "Don't work late.", "See you soon."])],
        "v_warned": [f"{s}" for s in [
            "This is your last warning. You won't get another one.", "People who write things like this tend to have accidents.",
            "Be very careful walking to your car tonight.", "You have a lovely family. It would be a pity to lose them.",
            "Accidents happen to journalists who don't know when to stop.", "Enjoy your last week in that house."]],
    },
    "wish": {
        "w_someone_should": [f"Someone should {a} {n}, and I'd gladly {b}." for a, n, b in zip(
            ["break the legs of", "put a bullet in", "set fire to the house of", "teach a lesson with a bat to",
             "run over", "string up", "beat the daylights out of", "drown"],
            NAMES, ["help", "hold the gun", "bring the petrol", "do it myself", "drive", "tie the knot",
                    "hold him down", "keep her under"])],
        "w_hope_die": [f"I hope {n} {a}." for n, a in zip(NAMES, [
            "dies screaming", "gets beaten to a pulp on the way home", "is found in a ditch", "burns alive",
            "gets stabbed in an alley", "is hit by a bus tomorrow, and I'd love to be driving it",
            "chokes to death", "gets what's coming with a baseball bat"])],
        "w_volunteer": [f"{s}" for s in [
            "If anyone wants to give this author a beating, I'll pay for the petrol.",
            "Whoever finally shuts this woman up for good, I'll buy you a drink and help you hide the body.",
            "Someone needs to put him six feet under. Call me when you're ready, I'm in.",
            "I'd happily hold him down while someone else does the job.",
            "Give me ten minutes alone with this councillor and a hammer.",
            "I'd pay good money to see someone smash her face in, and I'd throw the first punch."]],
        "w_deserve": [f"{n} deserves a bullet, and {b}." for n, b in zip(NAMES, [
            "I hope I get to fire it", "I know where to find him", "someone should deliver it soon",
            "I'm volunteering", "the sooner the better", "I'd do it for free"])],
        "w_if_only": [f"If {n} {c}, I'd {a}." for n, c, a in zip(NAMES, [
            "turned up at my door", "walked past me in the car park", "ever comes to this village",
            "shows her face at the meeting", "were alone with me for five minutes", "crossed my path tonight",
            "came to the protest", "tried that in my pub"], [
            "make sure he never walked again", "put her in hospital", "make him disappear",
            "smash her face in", "finish him", "leave her bleeding", "break his neck", "knife him"])],
        "w_wouldnt_cry": [f"{s}" for s in [
            "Somebody ought to burn this reporter's house down with him in it, and I'd gladly strike the match.",
            "It would be a public service if someone broke her neck. Happy to help.",
            "This man should be dragged into the street and beaten, and I want a turn.",
            "People like the author should be taken out back and shot. I have a rifle if anyone needs one.",
            "Someone should cut her tongue out so she stops writing this. I'll bring the knife.",
            "Let's all meet at his house and make him regret it. Bring something heavy."]],
    },
    "group": {
        "g_kill_all": [f"We should {a} every last one of the {g} in this town." for a, g in zip(
            ["shoot", "burn out", "hang", "round up and kill", "beat to death", "drive out at gunpoint"], GROUPS)],
        "g_mosque": [f"{s}" for s in [
            "Next Friday we torch the mosque with them inside.", "Someone should bomb the synagogue during the service.",
            "Let's go down to the refugee hostel tonight and set it alight.",
            "Time to pay the gay bar a visit with baseball bats.",
            "We're going to burn down the temple on King Street and everyone in it.",
            "Bring petrol to the Roma camp on Saturday, we'll finish them."]],
        "g_warning": [f"{g} in this area: leave before we come for you and your families." for g in GROUPS[:8]],
        "g_hunt": [f"It's time to hunt down {g} and make them bleed." for g in GROUPS[4:12]],
        "g_wish": [f"I hope somebody opens fire on a crowd of {g}, and I'd gladly reload." for g in GROUPS[:6]],
        "g_night": [f"One night soon we'll pay {g} a visit, and they won't wake up." for g in GROUPS[2:10]],
    },
    "figure_of_speech": {
        "f_killing_me": [f"{s}" for s in [
            "These Monday meetings are killing me.", "My feet are killing me after that march.",
            "This heat is murder on my garden.", "I could strangle my printer right now.",
            "The suspense in this article is killing me.", "The queue at the post office nearly killed me."]],
        "f_murder_food": [f"I could murder {f} right now." for f in [
            "a curry", "a pint", "a bacon sandwich", "a slice of cake", "a cup of coffee", "a plate of chips",
            "a kebab", "an ice cream"]],
        "f_idioms": [f"{s}" for s in [
            "Break a leg at your opening night!", "She slayed that presentation.", "We'll cross that bridge when we come to it, no need to shoot the messenger.",
            "That joke killed at the wedding.", "This argument is a dead horse, stop beating it.",
            "The new bus timetable is a train wreck.", "My inbox is a bloodbath after the holiday.",
            "I'd kill for a quiet weekend."]],
        "f_policy_attack": [f"{n}'s proposal deserves to be {a} in committee." for n, a in zip(NAMES, [
            "killed", "shot down", "buried", "strangled at birth", "torn to shreds", "knocked out", "crushed", "slaughtered"])],
        "f_mum_kill": [f"{s}" for s in [
            "My mum will kill me if I'm late again.", "My boss is going to murder me when she sees this typo.",
            "If I eat another biscuit my dentist will kill me.", "My sister will strangle me for telling you this.",
            "My coach will kill me if I skip training.", "Dad's going to murder me for denting the car."]],
        "f_destroyed": [f"{s}" for s in [
            "The columnist absolutely destroyed the minister's argument.", "The fact-checker tore this piece apart.",
            "The reviewer butchered the novel, and rightly so.", "You've murdered the grammar in this paragraph.",
            "The editor slashed my article to half its length.", "The debate was a massacre for the opposition."]],
    },
    "sport": {
        "s_score": [f"We {v} them {sc} on Saturday." for v, sc in zip(
            ["murdered", "slaughtered", "destroyed", "killed", "massacred", "butchered", "annihilated", "crushed"],
            ["5-0", "4-1", "6-2", "3-0", "7-1", "40-3", "98-60", "2-0"])],
        "s_striker": [f"{s}" for s in [
            "Their striker shot from thirty yards and nearly broke the crossbar.",
            "Our keeper got absolutely battered in the second half.",
            "The boxer knocked his opponent out cold in the third round.",
            "The fullback took a brutal hit but played on.",
            "He went for the kill in the final set and took it 6-1.",
            "The defence got torn to pieces on the counter-attack."]],
        "s_next_week": [f"We're going to {a} {t} next week." for a, t in zip(
            ["destroy", "bury", "murder", "smash", "thrash", "wipe the floor with", "crush", "demolish"],
            ["United", "the Tigers", "the away side", "our rivals", "the league leaders", "City", "the Sharks", "Rovers"])],
        "s_fans": [f"{s}" for s in [
            "The ref was robbed of any sense tonight, we were killed by that penalty call.",
            "Our bowlers got slaughtered at Lord's.", "That tackle nearly killed him, red card all day.",
            "Their midfield bled us dry.", "We got murdered on the rebounds all night.",
            "That was a shootout for the ages, the keeper was a hero."]],
        "s_results": [f"{t} got {v} {sc} at home, what a night." for t, v, sc in zip(
            ["Rovers", "The Lions", "County", "Our under-12s", "The Saints", "Athletic", "The Bears", "Wanderers"],
            ["murdered", "slaughtered", "massacred", "destroyed", "butchered", "killed", "hammered", "annihilated"],
            ["6-0", "5-1", "48-7", "4-0", "110-85", "3-0", "31-3", "7-2"])],
        "s_chess": [f"{s}" for s in [
            "She sacrificed her queen and went for the kill.", "White's attack executed the black king in twelve moves.",
            "My grandad massacres everyone at chess.", "I got slaughtered at darts by my nephew.",
            "We crushed the quiz team from the Red Lion.", "Our rowing crew blew the others out of the water."]],
    },
    "reporting": {
        "r_received": [f"{n} received a message saying '{q}', and has gone to the police." for n, q in zip(NAMES, [
            "I know where you live", "you'll be shot", "watch your back", "your kids aren't safe",
            "we'll burn your house down", "you're dead"])],
        "r_police": [f"Police are investigating after {w}." for w in [
            "a councillor was told she would be stabbed", "threats were sprayed on the mosque wall",
            "a teacher's car was vandalised with a death threat", "a reporter was sent a bullet in the post",
            "a man threatened to shoot staff at the clinic", "the synagogue received a bomb threat",
            "a woman was followed home and threatened", "an MP was told her children would be hurt"]],
        "r_i_got": [f"{s}" for s in [
            "I got a comment last week saying someone knew where my kids go to school. I reported it.",
            "Someone wrote that they'd break my legs, so I screenshot it and sent it to the moderators.",
            "Moderators: the user above just threatened to stab the author. Please remove it.",
            "Flagging this thread, there's a comment calling for people to burn down the refugee centre.",
            "My neighbour was told she'd be killed for her yard sign. We called 999.",
            "The author says she received death threats after the last column. That is chilling."]],
        "r_court": [f"{s}" for s in [
            "The court heard he had threatened to kill his ex-partner.",
            "The defendant admitted sending messages threatening to burn the family's house down.",
            "He was jailed for threatening to shoot a council worker.",
            "The jury was shown texts in which she threatened to stab her landlord.",
            "Prosecutors say the man threatened to bomb the school.",
            "He pleaded guilty to threatening to kill the MP."]],
        "r_article": [f"The article reports that {w}." for w in [
            "the councillor was threatened outside her home", "the mosque was sent a letter promising violence",
            "a teacher was told her car would be torched", "the editor received a bullet in an envelope",
            "the family was warned their children were being watched", "protesters chanted threats at the refugees",
            "the referee was threatened in the car park", "the author has had police protection since the threats"]],
        "r_statistics": [f"{s}" for s in [
            "Threats against election workers have tripled since 2020, the report says.",
            "A third of female journalists have received threats of violence online.",
            "The survey found that many councillors have been threatened at their homes.",
            "Death threats against referees are rising, according to the FA.",
            "Nurses report being threatened by patients more often than ever.",
            "The study counted 400 threats to kill sent to MPs last year."]],
    },
    "condemning": {
        "c_never_ok": [f"Threatening {w} is never acceptable." for w in [
            "a journalist", "a councillor", "someone's children", "anyone over a planning decision",
            "people at their homes", "a teacher", "a referee", "nurses"]],
        "c_whoever": [f"{s}" for s in [
            "Whoever wrote that they'd hurt the author should be banned and reported.",
            "Saying you know where someone's kids walk home is a threat, and it's disgusting.",
            "The comment about burning her house down is vile, mods please act.",
            "No one should be told they'll be shot for writing an article.",
            "Wishing death on a councillor because of a parking charge is sick.",
            "Calls to attack the mosque have no place here. Shame on whoever posted them."]],
        "c_solidarity": [f"{s}" for s in [
            "Solidarity with the reporter who was threatened. Keep writing.",
            "I'm sorry you were threatened, Helen. Nobody deserves that.",
            "Sending support to the family whose car was attacked.",
            "We stand with the synagogue after this week's threats.",
            "It's awful that a teacher was threatened for doing her job.",
            "Thinking of the staff at the clinic after yesterday's threats."]],
        "c_reply": [f"{n}, that's a threat, not an argument. {e}" for n, e in zip(NAMES, [
            "Reported.", "Please stop.", "Mods, please look at this.", "You should be ashamed.",
            "Nobody here wants that.", "Take it back.", "That crosses a line.", "Delete it."])],
        "c_policy": [f"{s}" for s in [
            "Online threats against public officials should be prosecuted more often.",
            "The site should do more to stop people threatening writers.",
            "Platforms must take death threats seriously, not shrug them off.",
            "Threats of violence are crimes, not opinions.",
            "We need better protection for councillors who are threatened at home.",
            "Violence against immigrants is never the answer to any policy debate."]],
        "c_disagree_no_violence": [f"{s}" for s in [
            "I disagree with the author strongly, but anyone threatening her is a disgrace.",
            "You can hate the policy without threatening the person behind it.",
            "Argue with the article, don't threaten the writer.",
            "Criticise him all you like, but leave his family out of it.",
            "I voted against her, and I'd still defend her from anyone who threatens her.",
            "Disagreement is fine; wishing someone dead is not."]],
    },
    "fiction": {
        "fi_novel": [f"{s}" for s in [
            "In chapter three the killer leaves a note saying 'I know where you sleep'.",
            "The villain threatens to burn the village unless the hero surrenders.",
            "My favourite scene is when the detective finds the body in the canal.",
            "The novel opens with a gangster promising to break a debtor's legs.",
            "In the film, the hitman tells his target he has one day left to live.",
            "The play ends with the king ordering his brother's execution."]],
        "fi_games": [f"{s}" for s in [
            "I finally killed the dragon on the last level.", "My character got stabbed in the first five minutes of the campaign.",
            "We slaughtered the zombie horde on co-op last night.", "In Dungeons and Dragons my rogue assassinated the duke.",
            "The boss fight where you have to shoot the helicopter down is brutal.",
            "I keep getting murdered by snipers in this game."]],
        "fi_review": [f"{s}" for s in [
            "The thriller's most chilling line is the stalker's 'I watched your children walk home'.",
            "A gripping crime drama about a woman receiving anonymous threats.",
            "The horror film is gory: three characters are killed with an axe.",
            "This true-crime podcast details how the victim was stalked for months.",
            "The opera's hero vows to kill his rival in the second act.",
            "Shakespeare's Macbeth is a story of murder and guilt."]],
        "fi_writing": [f"{s}" for s in [
            "I'm writing a mystery where the butler poisons the whole family.",
            "For my screenplay, the antagonist needs a menacing line before he shoots.",
            "In my story, the witch curses the king to die before winter.",
            "The short story I submitted ends with the narrator burying his brother.",
            "My novel's villain leaves threatening letters on the detective's car.",
            "Our drama club is staging a murder mystery evening next month."]],
        "fi_tv": [f"In last night's episode, {w}." for w in [
            "the mob boss threatened to bury the witness", "the killer left a note on the detective's windscreen",
            "the villain vowed to burn the city", "the hero was shot but survived",
            "the stalker turned out to be the neighbour", "the queen ordered her rival poisoned",
            "the gang threatened the shopkeeper's family", "the assassin missed his shot"]],
        "fi_history": [f"{s}" for s in [
            "The history lesson covered how Caesar was stabbed in the Senate.",
            "The museum's exhibit shows the axe used in medieval executions.",
            "My grandfather fought at Normandy and was shot in the shoulder.",
            "The documentary explains how the Tudors executed traitors.",
            "The battle left thousands dead on both sides.",
            "The archduke's assassination started the First World War."]],
    },
}

# Families held out as the test half (evaluation only); every other family is training data.
TEST_FAMILIES = {
    "d_meet", "d_short", "v_car", "v_office", "w_volunteer", "w_deserve", "g_mosque", "g_night",
    "f_mum_kill", "f_destroyed", "s_next_week", "s_chess", "r_received", "r_statistics",
    "c_solidarity", "c_disagree_no_violence", "fi_games", "fi_history",
}


def rows() -> list[dict[str, str]]:
    out, seen = [], set()
    for category, families in FAMILIES.items():
        label = "1" if category in THREAT_CATEGORIES else "0"
        for family, sentences in families.items():
            for text in sentences:
                if text not in seen:
                    seen.add(text)
                    out.append({"text": text, "category": category, "label": label, "family": family,
                                "split": "test" if family in TEST_FAMILIES else "train"})
    return out


def write(path: Path = CSV_PATH) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["text", "category", "label", "split", "family"])
        w.writeheader()
        w.writerows(rows())


def read(path: Path = CSV_PATH, *, split: str | None = None) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        data = list(csv.DictReader(fh))
    return [r for r in data if split is None or r["split"] == split]


if __name__ == "__main__":
    write()
    data = rows()
    for (cat, sp), n in sorted(__import__("collections").Counter((r["category"], r["split"]) for r in data).items()):
        print(cat, sp, n)
