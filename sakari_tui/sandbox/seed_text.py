"""Words and stories for the seeded demo: a neighbourhood bakery answering its customers.

Everything here is fiction. Phone numbers use 555 exchanges and emails use example domains.
Two entries are deliberately hostile, to keep the client's rendering honest: a last name with
Rich markup and a message with an ANSI escape.
"""

from __future__ import annotations

BUSINESS = "Juniper Lane Bakery"
STAFF = ("Sam", "Priya", "Leo")

FIRST_NAMES = (
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Mateo",
    "Sophia",
    "Elijah",
    "Isabella",
    "Lucas",
    "Mia",
    "Amara",
    "Charlotte",
    "Ethan",
    "Harper",
    "Kenji",
    "Amelia",
    "Diego",
    "Evelyn",
    "Omar",
    "Abigail",
    "Samuel",
    "Emily",
    "Jamal",
    "Ella",
    "Henry",
    "Grace",
    "Ravi",
    "Chloe",
    "Owen",
    "Zoe",
    "Gabriel",
    "Nora",
    "Julian",
    "Lily",
    "Isaac",
    "Hannah",
    "Wei",
    "Layla",
    "Caleb",
    "Aaliyah",
    "Nathan",
    "Stella",
    "Aarav",
    "Lucy",
    "Hugo",
    "Maya",
    "Felix",
    "Ruby",
    "Tomas",
    "Ines",
    "Marcus",
    "Priyanka",
    "Daniel",
    "Fatima",
    "Ian",
    "Sofia",
    "Theo",
    "Naomi",
    "Andre",
    "Clara",
    "Yusuf",
    "Valentina",
    "Rowan",
    "Keiko",
    "Miles",
)

LAST_NAMES = (
    "Anderson",
    "Okafor",
    "Garcia",
    "Nguyen",
    "Patel",
    "Kowalski",
    "Johnson",
    "Rossi",
    "Kim",
    "Martinez",
    "Dubois",
    "Thompson",
    "Haddad",
    "Silva",
    "Walker",
    "Schmidt",
    "Yamamoto",
    "Brown",
    "O'Connor",
    "Hernandez",
    "Lopez",
    "Murphy",
    "Ivanova",
    "Chen",
    "Wright",
    "Mensah",
    "Fischer",
    "Lee",
    "Baker",
    "Novak",
    "Ali",
    "Clarke",
    "Moreau",
    "Jensen",
    "Reyes",
    "Cohen",
    "Adeyemi",
    "Park",
    "Fernandes",
    "Sato",
    "Bianchi",
    "Hughes",
    "Kaur",
    "Larsen",
    "Mitchell",
    "Nakamura",
    "Petrov",
    "Quinn",
    "Rahman",
    "Santos",
    "Tanaka",
    "Umar",
    "Vargas",
    "Weber",
    "Young",
    "Zhang",
    "Alvarez",
    "Bergstrom",
    "Castillo",
    "Delgado",
    "Ellis",
    "Foster",
)

# Real area codes, with the 555-01xx lines reserved for fiction.
AREA_CODES = (
    "206",
    "312",
    "415",
    "512",
    "617",
    "303",
    "702",
    "503",
    "404",
    "214",
    "602",
    "919",
    "615",
    "813",
    "720",
    "916",
    "971",
    "704",
    "414",
    "505",
)

EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example")

TAGS = ("vip", "wholesale", "newsletter", "trial", "churn-risk", "catering", "subscriber")
CITIES = ("Portland", "Austin", "Seattle", "Denver", "Chicago", "Boston", "Raleigh", "Tucson")
PLANS = ("Weekly bread", "Pastry box", "Pay as you go", "Office catering")
FAVOURITES = ("sourdough", "almond croissant", "cinnamon roll", "rye", "lemon tart", "bagels")

# The contact whose last name is Rich markup; one of the conversation contacts.
HOSTILE_LAST_NAME = "[bold red]Tables[/]"

# Conversation stories. ">" the bakery writes, "<" the customer writes.
# {first} is the customer's first name, {staff} the person answering.
# state: "unread" (customer waits for an answer), "read" (open, seen), "closed".
CONVERSATIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "Birthday cake order",
        "unread",
        (
            "< Hi! Do you still have slots for a custom birthday cake this Saturday?",
            "> Hi {first}, this is {staff} at Juniper Lane Bakery. We do! What size and flavour were you thinking?",
            '< 8 inch chocolate with raspberry filling, serves about 12. Can it say "Happy 7th Maya"?',
            "> Absolutely. That's $48, ready for pickup Saturday from 9am. Shall I book it?",
            "< Yes please! Can I pay when I pick it up?",
        ),
    ),
    (
        "Late delivery",
        "closed",
        (
            "< Hi, my order #4821 was supposed to arrive by 10 and it's 10:40. Any update?",
            "> Sorry about the wait, {first}! Our driver is stuck behind road works on Elm St. He's about 15 minutes out.",
            "< Ok thanks for letting me know",
            "> He's just arrived at your door. Enjoy the croissants!",
            "< Got them, still warm 😊 thanks",
        ),
    ),
    (
        "Tasting appointment change",
        "read",
        (
            "< Hi, I have a wedding cake tasting booked Thursday at 4. Could we move it to Friday?",
            "> Hi {first}! Friday we have 11:00 or 3:30 free. Which works better?",
            "< 3:30 please",
            "> Done: Friday 3:30pm. We'll have the lemon-elderflower and the salted caramel ready for you.",
            "< Perfect, see you then",
        ),
    ),
    (
        "Double charge refund",
        "closed",
        (
            "< Hello, I was charged twice for my order yesterday ($23.50). Can you check?",
            "> Hi {first}, I'm sorry about that. I can see the duplicate charge and I've refunded $23.50 to your card. It can take 3-5 business days to show.",
            "< Thank you. Will I get an email confirmation?",
            "> Yes, it should reach you within the hour. Let me know if it doesn't.",
        ),
    ),
    (
        "Gluten free options",
        "unread",
        (
            "< Do you have anything gluten free today?",
            "> Hi {first}! Today we have almond financiers, flourless chocolate cake and GF seeded loaves.",
            "< Is the seeded loaf made in the same kitchen as the regular bread?",
        ),
    ),
    (
        "Office breakfast",
        "read",
        (
            "< Hi there, we need breakfast pastries for 40 people next Tuesday at 8:30am. Do you deliver to the Riverside Park offices?",
            "> Hi {first}, yes we deliver there. Our office breakfast box for 40 is $180 (mixed croissants, muffins, fruit). Want me to reserve it?",
            "< Yes. Can you add 10 vegan options?",
            "> Sure: 10 vegan pastries included, same price. Delivery Tuesday 8:15am. I'll send the invoice to your email.",
            "< 👍",
        ),
    ),
    (
        "Lost scarf",
        "read",
        (
            "< I think I left my scarf at your café this morning, green wool?",
            "> Hi {first}! Yes, there's a green wool scarf behind the counter. We'll keep it for you.",
            "< Amazing, I'll swing by after work",
        ),
    ),
    (
        "Loyalty reward",
        "unread",
        (
            "> Hi {first}, your loyalty card is full: your next coffee is on us! ☕",
            "< Oh nice! Does it work for the oat latte too?",
        ),
    ),
    (
        "Bigger pickup order",
        "read",
        (
            "< Can I change my pickup order from 6 to 12 cinnamon rolls?",
            "> Hi {first}, yes! Updated to 12 cinnamon rolls, total now $39. Pickup still at 5pm?",
            "< Yes 5pm. Thanks!",
        ),
    ),
    (
        "Nut allergy",
        "read",
        (
            "< Hi, does the pistachio cake contain any other nuts? My son is allergic to almonds.",
            "> Hi {first}, the pistachio cake uses almond flour, so I'd avoid it. Our vanilla sponge has no nuts, though the kitchen does handle them.",
            "< Thanks for being upfront. We'll go with the vanilla one then.",
            "> Great choice. Would you like it with strawberries or plain?",
            "< Strawberries please!",
            "> Noted. It'll be ready tomorrow at noon.",
        ),
    ),
    (
        "Delivery address change",
        "read",
        (
            "< Hi, I ordered a box of macarons for delivery but put my old address. Can you change it to 14 Birch Road?",
            "> Hi {first}, no problem, I've changed it to 14 Birch Road. Is there an apartment number?",
            "< Apt 3B",
            "> Updated to 14 Birch Road, Apt 3B. Delivery window 2-4pm today.",
            "< 🙏",
        ),
    ),
    (
        "Holiday hours",
        "read",
        (
            "< Are you open on Monday for the holiday?",
            "> Hi {first}! We're open 8am-2pm on Monday.",
        ),
    ),
    (
        "Burnt sourdough",
        "closed",
        (
            "< The sourdough I bought today was burnt on the bottom. Pretty disappointed.",
            "> I'm really sorry, {first}. That shouldn't have left the shop. I can refund it or set aside a fresh loaf for you.",
            "< A fresh loaf tomorrow would be great",
            "> Done, a fresh sourdough is waiting for you under your name. Sorry again!",
            "< Thanks, appreciate it",
        ),
    ),
    (
        "Pausing the subscription",
        "read",
        (
            "< Hi, I'd like to pause my weekly bread subscription for two weeks, I'm travelling.",
            "> Hi {first}, paused from next Monday; it restarts on the 3rd. Safe travels!",
            "< Thank you!",
        ),
    ),
    (
        "Payment page error",
        "unread",
        (
            "< Hi, the order page showed this when I tried to pay: \x1b[31mERROR 502\x1b[0m. Did my order go through?",
            "> Hi {first}, sorry about that! The order didn't go through, so you weren't charged. Want me to take it by text?",
            "< Yes please: 2 baguettes and a dozen bagels for Saturday",
        ),
    ),
    (
        "Weekend barista job",
        "read",
        (
            "< Hi! Are you hiring weekend baristas?",
            "> Hi {first}, we are! Send your CV to jobs@juniperlane.example and mention this chat.",
        ),
    ),
    (
        "Wedding cake deposit",
        "closed",
        (
            "< Just sent the deposit for the wedding cake. Can you confirm you got it?",
            "> Hi {first}, yes, we got your $150 deposit. You're booked for June 14th!",
            "< Yay! Can we do a final call about the flowers on top?",
            "> Of course. Would Wednesday at 6pm work for a quick call?",
            "< Wednesday works",
            "> Booked. Talk then!",
        ),
    ),
    (
        "Pains au chocolat",
        "unread",
        (
            "< Bonjour ! Est-ce qu'il vous reste des pains au chocolat ce matin ?",
            "> Bonjour {first} ! Oui, il en reste une douzaine. Je vous en mets de côté ?",
            "< Oui, quatre s'il vous plaît. Merci !",
        ),
    ),
    (
        "Cold coffee at the meeting",
        "read",
        (
            "< Our catering order arrived 45 minutes late and the coffee was cold. Not great for a client meeting.",
            "> I'm so sorry, {first}. That's not the service we want to give. I've refunded the delivery fee and the coffee ($32).",
            "< Thanks. Please make sure it doesn't happen next time, we order every month.",
            "> Understood. Our manager will handle your next delivery personally.",
            "< 👍",
        ),
    ),
    (
        "Decorating class",
        "unread",
        (
            "< Hi! Is there still space in Saturday's cake decorating class?",
            "> Hi {first}, two spots left. It's $65 per person, 10am to 1pm.",
            "< Can I book both spots? Bringing my sister.",
            "> Booked two spots under your name. See you Saturday!",
            "< Can we move to the class next month instead? Something came up.",
        ),
    ),
    (
        "Order ready",
        "read",
        (
            "> Hi {first}, your order is ready for pickup at Juniper Lane Bakery. We're open until 6pm.",
            "< On my way!",
        ),
    ),
    (
        "Bagel prices",
        "unread",
        (
            "< How much is a dozen bagels?",
            "> Hi {first}, a dozen bagels is $18, or $15 with a loyalty card.",
            "< Do you have sesame today?",
        ),
    ),
    (
        "Visit feedback",
        "read",
        (
            "> Hi {first}, thanks for visiting! How was everything today? Reply 1-5.",
            "< 5! The almond croissant is the best in town",
            "> That made our day, thank you {first}! 🥐",
        ),
    ),
    (
        "Thanksgiving pies",
        "closed",
        (
            "< Are you taking pie orders for Thanksgiving?",
            "> Hi {first}! Yes, until Nov 20. Pumpkin, apple and pecan, $28 each.",
            "< Two pumpkin and one pecan please",
            "> Got it: 2 pumpkin + 1 pecan = $84. Pickup Wed Nov 26 between 10am and 6pm.",
            "< Can I pick up Tuesday instead?",
            "> Tuesday works, from 2pm. Updated!",
            "< Great, thanks",
        ),
    ),
    (
        "Damaged party cake",
        "read",
        (
            "< Hi, the cake that was delivered is damaged, the top tier slid off 😩",
            "> Oh no, {first}! I'm so sorry. Can you send a photo so I can see how bad it is?",
            "< Sent it to your email just now",
            "> Got it. That's on us. We can bring a replacement within 2 hours, or a full refund. Which do you prefer?",
            "< The party is at 5, can you do it by 4?",
            "> Yes. Our baker is starting now and the driver leaves at 3:15.",
            "< Thank you so much",
            "> Driver is on the way, ETA 3:40.",
            "< It's here and it looks perfect",
            "> Wonderful. I've also refunded the delivery fee. Have a great party!",
            "< You saved the day, thank you!!",
            "> Happy to help, {first}! 🎉",
        ),
    ),
)

# Index in CONVERSATIONS of the story told by the contact with the hostile last name.
HOSTILE_CONTACT_STORY = 11

TEMPLATES: tuple[tuple[str, str, str], ...] = (
    (
        "Order ready",
        "SMS",
        "Hi {{{firstName}}}, your order is ready for pickup at Juniper Lane Bakery. We're open until 6pm.",
    ),
    (
        "Driver running late",
        "SMS",
        "Hi {{ firstName }}, our driver is running about 15 minutes late. Sorry for the wait!",
    ),
    (
        "Appointment reminder",
        "SMS",
        "Hi {{{contact.firstName}}}, a reminder of your appointment tomorrow at Juniper Lane Bakery. "
        "Reply C to confirm or R to reschedule.",
    ),
    ("Review request", "SMS", "Thanks for visiting, {{{firstName}}}! How was everything today? Reply 1-5."),
    (
        "Weekly special",
        "SMS",
        "This week at Juniper Lane: pumpkin loaf and maple pecan buns. Show this text for 10% off, "
        "{{{firstName}}}! Reply STOP to opt out.",
    ),
    (
        "Subscription paused",
        "Web",
        "Hi {{{firstName}}}, your {{{plan}}} subscription is paused. Reply START to resume.",
    ),
)

# (name, trigger code, template index, filters)
CAMPAIGNS = (
    ("Weekend special", "M", 4, {"tags": ["newsletter"], "contacts": [], "attributes": []}),
    (
        "Subscription check-in",
        "S",
        5,
        {
            "tags": [],
            "contacts": [],
            "attributes": [{"name": "plan", "comparator": "=", "value": "Weekly bread"}],
        },
    ),
    ("Wholesale price list upload", "FU", 0, {"tags": ["wholesale"], "contacts": [], "attributes": []}),
)

# What simulated customers write when the sandbox runs live.
FOLLOW_UP_QUESTIONS = (
    "Are you open late tonight?",
    "Do you have any sourdough left?",
    "Can I add a coffee to my order?",
    "Is it possible to pick up 30 minutes earlier?",
    "Do you sell gift cards?",
    "Can you do a cake with a photo printed on it?",
    "Is there parking nearby?",
    "What time does the fresh bread come out?",
    "Do you have oat milk?",
    "Could you hold two croissants for me until 11?",
    "Is the rye bread sliced?",
    "Do you take orders for Sunday?",
)
FIRST_MESSAGES = (
    "Hi, a friend gave me your number. Do you do birthday cakes?",
    "Hello! Do you deliver to the north side?",
    "Hi, what are your hours on Sunday?",
    "Hey, do you have vegan cupcakes?",
    "Hi! Can I order a sheet cake for 30 people for Friday?",
    "Hello, is this the bakery on Juniper Lane?",
)
REPLIES = (
    "Thanks!",
    "Great, see you then",
    "Perfect, thank you 🙏",
    "OK 👍",
    "Got it, thanks",
    "Sounds good!",
    "Thank you so much!",
    "Will do.",
    "Appreciate it!",
    "Great, thanks for the quick answer",
)
