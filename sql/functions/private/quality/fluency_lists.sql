-- The curated word lists and patterns of the fluency dimension (score_fluency.sql). Array
-- literals in IMMUTABLE SQL functions, not tables: they are the language's, not a tenant's, and
-- a constant call is folded into the plan that uses it (no per-draft cost). No SET, as in
-- private/quality/phrases.sql (the top comment): pure, called per draft.

-- Words that make a sentence a clause wherever they stand: auxiliaries and modals, the
-- contractions as phrase_key writes them ("it's" is "its", "don't" is "dont"), the -s and past
-- forms of common verbs. (Words ending in -ed or -ing are participles: score_fluency.)
create or replace function aicrm_private.fluency_verbs()
returns text[]
language sql
immutable
parallel safe
-- No SET (see the top of this file).
as $$
    select '{am,is,are,was,were,been,has,have,had,does,did,will,would,shall,should,can,could,may,might,must,its,thats,
theres,heres,whats,lets,whos,hes,shes,wheres,hows,theyre,youre,weve,youve,theyve,ive,youll,theyll,itll,youd,wed,theyd,
im,dont,doesnt,didnt,cant,wont,isnt,arent,wasnt,werent,havent,hasnt,hadnt,couldnt,wouldnt,shouldnt,mustnt,asks,bakes,
brings,brought,builds,built,buys,bought,calls,came,comes,cooks,costs,covers,delivers,eats,ate,enjoys,explains,
feels,felt,finds,found,fixes,gets,got,gives,gave,goes,went,gone,grabs,grows,grew,helps,holds,held,keeps,kept,
knows,knew,lasts,learns,leaves,likes,lives,loves,makes,made,matters,means,meets,met,misses,moves,needs,offers,
opens,pays,paid,picks,puts,reaches,rests,runs,ran,saves,says,said,sees,saw,seen,sells,sold,sends,sent,serves,
showed,shown,sits,sat,smells,sounds,spends,spent,stands,stood,starts,stays,takes,took,taken,tastes,tells,told,
thinks,thought,tries,turns,uses,waits,wants,welcomes,shares,protects,prevents,replaces,repairs,installs,inspects,
reminds,arrives,happens,becomes,became,begins,began,seems,includes,hears,heard,speaks,talks,writes,wrote,pours,
ferments,rises,rose,fits,suits,adds,returns,celebrates,deserves,belongs,depends,hopes,believes,freezes,froze,
bursts,breaks,broke,leaks,drains,sleeps,won,agrees,provides,creates,remembers,fills,feeds,forgets,forgot,worries,
be,do,get,go,make,take,come,see,know,let,keep,give}'::text[]
$$;

-- Base forms of common verbs: a verb when they open a sentence (an imperative: "Book today.")
-- or follow a subject, "to" or an auxiliary ("we bake", "you'll love"); else perhaps a noun
-- ("Gentle care.", "Online booking and a free visit.").
create or replace function aicrm_private.fluency_base_verbs()
returns text[]
language sql
immutable
parallel safe
-- No SET (see the top of this file).
as $$
    select '{ask,bake,bring,build,buy,call,care,change,check,choose,clean,cook,cost,cover,cut,deliver,drop,eat,
enjoy,explain,feel,find,fix,grab,grow,help,hold,last,learn,leave,like,live,look,love,matter,mean,meet,miss,move,
need,offer,open,order,pay,pick,plan,play,put,reach,read,rest,run,save,say,sell,send,serve,set,show,sit,smell,
sound,spend,stand,start,stay,stop,taste,tell,thank,think,try,turn,use,visit,wait,want,work,welcome,book,reserve,
join,sign,register,claim,schedule,shop,reply,contact,discover,explore,browse,follow,apply,request,download,
subscribe,enroll,rsvp,head,swing,pop,treat,lock,secure,upgrade,refer,vote,donate,enter,share,protect,prevent,
replace,repair,install,inspect,remind,arrive,happen,become,begin,seem,include,hear,speak,talk,write,pour,ferment,
rise,fit,suit,add,return,celebrate,feature,guide,support,deserve,belong,count,depend,hope,wish,believe,freeze,
burst,break,leak,drain,sleep,smile,win,agree,provide,create,remember,stock,fill,feed,skip,forget,worry,stock,
check,pamper,relax,unwind,indulge,taste,sample,gather,bundle,warm,chill,prepare,avoid,keep,let,give,do,be,go,get,
make,take,come,see,know,bring,expect,check,fix,pull,drink,brush,review,confirm,flip,tap,trim,light,burn,
pour,shape,fold,mix,bake,insulate,disconnect,drain,close,wrap,store,plug,text,email,message,tag,snap,catch,
meet,pack,ship,grab,stretch,breathe,train,lift,rinse,floss,sip,taste}'::text[]
$$;

-- Words that carry no subject matter: openers and phrases made only of them are not repeated
-- content, and a sentence made only of them (with verbs) says nothing specific.
create or replace function aicrm_private.fluency_stopwords()
returns text[]
language sql
immutable
parallel safe
-- No SET (see the top of this file).
as $$
    select '{a,an,the,and,or,but,so,of,to,in,on,at,for,with,by,from,into,onto,up,down,out,off,over,about,as,than,
then,that,this,these,those,there,here,it,its,is,are,was,were,be,been,being,am,do,does,did,have,has,had,will,would,
can,could,should,may,might,must,shall,we,us,our,ours,you,your,yours,they,them,their,i,me,my,he,she,him,her,his,
not,no,yes,all,any,some,every,each,more,most,much,many,very,just,only,also,too,even,still,yet,if,when,while,
because,since,until,what,which,who,whom,whose,why,how,where,get,got,make,made,one,ones,thing,things,way,ways,lot,
lots,really,well,new,good,great,best,better,right,now,today,again,always,never,ever,own,like,need,want,
know,see,come,go,let,lets,thats,theres,youre,were,weve,youve,ive,im,dont,cant,wont,its,sure,something,anything,
everything,nothing,someone,anyone,everyone,who,whatever,whether,such,same,other,another,both,either,neither,few,
little,less,least,first,last,next,out,back,away,around,through,ready,here}'::text[]
$$;

-- Words ending in -ing or -ed that are not verbs (a sentence of them stays verbless).
create or replace function aicrm_private.fluency_not_verbs()
returns text[]
language sql
immutable
parallel safe
-- No SET (see the top of this file).
as $$
    select '{morning,mornings,evening,evenings,thing,things,something,nothing,anything,everything,spring,king,ring,
wing,wedding,ceiling,pudding,during,icing,frosting,topping,toppings,filling,fillings,seasoning,clothing,ending,
hundred,sacred,wicked,kindred,speed,breed,greed,seed,need,feed,bed,red,shed,weed,ed,ted}'::text[]
$$;

-- Filler: stock sentences that carry no content, whatever the business. Strong ones are a
-- whole sentence of nothing ("There's no such thing as a silly question about ...": a major
-- finding each); weak ones are clichés a good draft may use once (a minor finding each, major
-- from the third). Case-insensitive, on text with straight apostrophes.
create or replace function aicrm_private.fluency_filler_pattern(p_strong boolean)
returns text
language sql
immutable
parallel safe
-- No SET (see the top of this file).
as $$
    select case when p_strong then
        '\y(there''?s\s+no\s+such\s+thing\s+as\s+an?\s+(silly|stupid|dumb|bad|wrong)\s+question'
        || '|there\s+is\s+no\s+such\s+thing\s+as\s+an?\s+(silly|stupid|dumb|bad|wrong)\s+question'
        || '|no\s+question\s+is\s+too\s+(small|silly|big)'
        || '|in\s+today''?s\s+((fast[-\s]paced|busy|modern|hectic|digital|ever[-\s]changing)\s+)?(world|age|society)'
        || '|in\s+this\s+day\s+and\s+age|it''?s\s+no\s+secret\s+that|it\s+is\s+no\s+secret\s+that'
        || '|needless\s+to\s+say|it\s+goes\s+without\s+saying|at\s+the\s+end\s+of\s+the\s+day'
        || '|without\s+further\s+ado|the\s+possibilities\s+are\s+endless|that''?s\s+what\s+it''?s\s+all\s+about'
        || '|life\s+is\s+what\s+happens|every\s+day\s+is\s+a\s+new\s+(chance|day|opportunity|beginning)'
        || '|(is|are)\s+a\s+big\s+part\s+of\s+(life|our\s+lives|everyday\s+life)'
        || '|more\s+than\s+ever\s+before|now\s+more\s+than\s+ever|in\s+(its|their)\s+own\s+special\s+way'
        || '|every\s+[[:alpha:]]+\s+is\s+unique|(joy|happiness)\s+is\s+something\s+we\s+all\s+need'
        || '|an?\s+(healthy|happy|clean|beautiful)\s+[[:alpha:]]+\s+is\s+an?\s+(happy|healthy|beautiful)\s+[[:alpha:]]+)(?![[:alnum:]])'
    else
        '\y(look\s+no\s+further|we''?ve\s+got\s+you\s+covered|we\s+have\s+got\s+you\s+covered'
        || '|something\s+for\s+everyone'
        || '|take\s+(it|things|your\s+[[:alpha:]]+)\s+to\s+the\s+next\s+level|one[-\s]stop[-\s]shop'
        || '|we\s+can''?t\s+wait\s+to|we\s+cannot\s+wait\s+to|your\s+satisfaction\s+is\s+our\s+(top\s+)?priority'
        || '|all\s+your\s+[[:alpha:]]+\s+needs|like\s+never\s+before'
        || '|we\s+pride\s+ourselves\s+on\s+(being\s+)?(the\s+best|excellence|quality))(?![[:alnum:]])'
    end
$$;

-- Words every match of fluency_filler_pattern(p_strong) contains (as phrase_key writes them):
-- a draft with none of them is not searched with the pattern.
create or replace function aicrm_private.fluency_filler_keys(p_strong boolean)
returns text[]
language sql
immutable
parallel safe
-- No SET (see the top of this file).
as $$
    select case when p_strong then
        '{no such thing as,no question is too,in todays,in this day and age,no secret that,needless to say,
          goes without saying,end of the day,without further ado,possibilities are endless,what its all about,
          life is what happens,every day is a new,a big part of,more than ever,own special way,is unique,
          something we all need,is a happy,is a healthy,is a beautiful}'::text[]
    else
        '{look no further,got you covered,something for everyone,to the next level,one stop shop,stop shop,
          cant wait to,cannot wait to,is our top priority,is our priority,all your,like never before,
          pride ourselves on}'::text[]
    end
$$;

grant execute on function aicrm_private.fluency_verbs(), aicrm_private.fluency_base_verbs(), aicrm_private.fluency_stopwords(),
    aicrm_private.fluency_not_verbs(), aicrm_private.fluency_filler_pattern(boolean),
    aicrm_private.fluency_filler_keys(boolean)
to aicrm_app, aicrm_worker;
