/* Stimulus controllers of the matching panel (prefix "wm-").
 *
 * Registered on Wagtail's own Stimulus application, so they behave like the
 * admin's built-in controllers. Everything works without them: the status
 * controller only saves a manual reload, the weight controller shows a value.
 */
(() => {
  const register = () => {
    const { Controller } = window.StimulusModule;

    /* Polls a run's status; reloads the panel when the run is done. */
    class RunStatusController extends Controller {
      static targets = ['label', 'stage'];
      static values = { url: String, interval: { type: Number, default: 1000 } };

      connect() {
        this.timer = window.setInterval(() => this.poll(), this.intervalValue);
      }

      disconnect() {
        window.clearInterval(this.timer);
      }

      async poll() {
        let data;
        try {
          const response = await fetch(this.urlValue, {
            headers: { Accept: 'application/json' },
            credentials: 'same-origin',
          });
          if (!response.ok) return;
          data = await response.json();
        } catch (error) {
          return; // a network blip: try again on the next tick
        }
        if (this.hasLabelTarget) this.labelTarget.textContent = data.label;
        if (this.hasStageTarget) this.stageTarget.textContent = data.stage;
        if (data.done) {
          window.clearInterval(this.timer);
          window.location.reload();
        }
      }
    }

    /* Shows a range input's value next to it. */
    class WeightController extends Controller {
      static targets = ['input', 'output'];

      connect() {
        this.update();
      }

      update() {
        this.outputTarget.textContent = this.inputTarget.value;
      }
    }

    window.wagtail.app.register('wm-run-status', RunStatusController);
    window.wagtail.app.register('wm-weight', WeightController);
  };

  if (window.StimulusModule && window.wagtail && window.wagtail.app) {
    register();
  } else {
    document.addEventListener('DOMContentLoaded', register, { once: true });
  }
})();
