"""CKM from Python: fit the observed launch, choose 11 seeds under the best-fitting network
theory, and run the fitted theories with those seeds against the 11 top KOLs (from the repo root)."""
import kolsim

sc = kolsim.Scenario.from_file("scenarios/ckm-tetracycline.toml")
fit = kolsim.fit(sc)  # the observed launch named in [observed]
print(fit.verdict, "\n\nbest network theory:", fit.best_network_theory)
seeds = kolsim.select_seeds(fit.fitted_scenario, k=11, model=fit.best_network_theory)
story = fit.fitted_scenario.to_dict()
story.pop("initial_adopters")
story.update(reference_arm="kols", arm=[
    {"name": "optimized", "strategy": "explicit", "ids": [str(i) for i in seeds.ids]},
    {"name": "kols", "strategy": "kols", "count": 11}])
res = kolsim.run(kolsim.Scenario.from_dict(story, path=sc.path))
print(res.final_shares().round(3))
try:
    import matplotlib.pyplot as plt
    s = res.summary.pivot_table(index="step", columns=["model", "arm"], values="mean")
    s.plot(title="CKM: fitted theories, optimized seeds vs KOL list", ylabel="share adopted")
    plt.savefig("ckm_story.png", dpi=120)
    print("plot: ckm_story.png")
except ImportError:
    pass
