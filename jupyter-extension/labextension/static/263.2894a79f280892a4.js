"use strict";(self.rspackChunkstagebook_jupyterlab=self.rspackChunkstagebook_jupyterlab||[]).push([[263],{9538(r,e,o){var t=o(5292),a=o.n(t),n=o(9893),s=o.n(n),i=o(9383),p=o.n(i),l=o(6884),c=o.n(l),u=o(9088),d=o.n(u),b=o(7997),f=o.n(b),v=o(5039),g={};g.styleTagTransform=f(),g.setAttributes=c(),g.insert=p().bind(null,"head"),g.domAPI=s(),g.insertStyleElement=d(),a()(v.A,g),v.A&&v.A.locals&&v.A.locals},5039(r,e,o){var t=o(8645),a=o.n(t),n=o(278),s=(o.n(n))()(a());s.push([r.id,`/* Stage-progress panel, run cards (panel and in-notebook output) and Vega outputs.
   Colours come from JupyterLab theme variables so light and dark themes both work. */

.sb-progress-panel {
  display: flex;
  flex-direction: column;
  min-width: 260px;
  background: var(--jp-layout-color1);
  color: var(--jp-ui-font-color1);
  font-size: var(--jp-ui-font-size1);
  overflow-y: auto;
}

.sb-panel-header {
  padding: 8px 12px;
  border-bottom: var(--jp-border-width) solid var(--jp-border-color2);
}

.sb-panel-title {
  font-size: var(--jp-ui-font-size0);
  font-weight: 600;
  letter-spacing: 0.05em;
  text-transform: uppercase;
  color: var(--jp-ui-font-color1);
}

.sb-panel-notebook,
.sb-panel-note,
.sb-run-note {
  color: var(--jp-ui-font-color2);
  font-size: var(--jp-ui-font-size0);
}

.sb-panel-runs {
  padding: 6px 8px;
}

.sb-panel-empty {
  padding: 12px 6px;
  color: var(--jp-ui-font-color2);
  line-height: 1.5;
}

.sb-panel-footer {
  padding: 4px 12px;
}

.sb-panel-warning {
  color: var(--jp-warn-color1);
  font-size: var(--jp-ui-font-size0);
}

.sb-run {
  margin: 0 0 8px;
  border: var(--jp-border-width) solid var(--jp-border-color2);
  border-left: 3px solid var(--sb-state-color, var(--jp-border-color1));
  border-radius: 3px;
  background: var(--jp-layout-color0);
}

.sb-run[data-state='running'] {
  --sb-state-color: var(--jp-brand-color1);
}
.sb-run[data-state='succeeded'] {
  --sb-state-color: var(--jp-success-color1);
}
.sb-run[data-state='cached'] {
  --sb-state-color: var(--jp-ui-font-color3);
}
.sb-run[data-state='failed'] {
  --sb-state-color: var(--jp-error-color1);
}

.sb-run-header {
  display: flex;
  align-items: baseline;
  gap: 6px;
  padding: 6px 8px;
  border-bottom: var(--jp-border-width) solid var(--jp-border-color3);
}

.sb-run-title {
  font-weight: 600;
  white-space: nowrap;
}

.sb-run-id {
  font-family: var(--jp-code-font-family);
  font-size: var(--jp-ui-font-size0);
  color: var(--jp-ui-font-color2);
  overflow: hidden;
  text-overflow: ellipsis;
  white-space: nowrap;
  min-width: 0;
  flex: 1 1 auto;
}

.sb-run-state,
.sb-run-duration,
.sb-stage-count,
.sb-stage-duration {
  font-size: var(--jp-ui-font-size0);
  white-space: nowrap;
}

.sb-run-note {
  padding: 2px 8px 0;
}

.sb-stages {
  list-style: none;
  margin: 0;
  padding: 4px 0;
}

.sb-stage {
  padding: 3px 8px;
}

.sb-stage-line {
  display: flex;
  align-items: baseline;
  gap: 6px;
}

.sb-stage-name {
  flex: 1 1 auto;
  font-family: var(--jp-code-font-family);
}

.sb-stage-count,
.sb-stage-duration,
.sb-run-duration {
  color: var(--jp-ui-font-color2);
  font-variant-numeric: tabular-nums;
}

.sb-stage-message {
  margin-left: 20px;
  color: var(--jp-ui-font-color2);
  font-size: var(--jp-ui-font-size0);
  overflow: hidden;
  text-overflow: ellipsis;
  white-space: nowrap;
}

.sb-stage-error {
  margin: 4px 0 2px 20px;
  padding: 4px 6px;
  border-left: 2px solid var(--jp-error-color1);
  /* a tint of the theme's error colour: readable on light and dark themes alike */
  background: color-mix(in srgb, var(--jp-error-color1) 12%, transparent);
  color: var(--jp-ui-font-color1);
  white-space: pre-wrap;
  word-break: break-word;
}

.sb-error-code {
  font-weight: 600;
  color: var(--jp-error-color1);
}

.sb-error-input {
  color: var(--jp-ui-font-color2);
  font-size: var(--jp-ui-font-size0);
}

.sb-progress-bar {
  height: 4px;
  margin: 3px 0 1px 20px;
  border-radius: 2px;
  background: var(--jp-layout-color3);
  overflow: hidden;
}

.sb-progress-fill {
  height: 100%;
  background: var(--jp-brand-color1);
  transition: width 0.2s ease;
}

.sb-progress-fill.sb-state-succeeded {
  background: var(--jp-success-color1);
}
.sb-progress-fill.sb-state-cached {
  background: var(--jp-ui-font-color3);
}
.sb-progress-fill.sb-state-failed {
  background: var(--jp-error-color1);
}

.sb-state-icon {
  display: inline-block;
  width: 14px;
  text-align: center;
  font-weight: 700;
}

.sb-state-pending {
  color: var(--jp-ui-font-color3);
}
.sb-state-running {
  color: var(--jp-brand-color1);
}
.sb-state-succeeded {
  color: var(--jp-success-color1);
}
.sb-state-cached {
  color: var(--jp-ui-font-color2);
}
.sb-state-failed {
  color: var(--jp-error-color1);
}

.sb-clickable {
  cursor: pointer;
}

.sb-clickable:hover,
.sb-clickable:focus-visible {
  background: var(--jp-layout-color2);
  outline: none;
}

/* In-notebook progress output: the same card, a bit narrower than the cell. */
.sb-progress-output .sb-run {
  max-width: 720px;
  margin: 4px 0;
}

.sb-progress-invalid,
.sb-vega-error {
  color: var(--jp-error-color1);
  padding: 4px 0;
}

.sb-vega-output {
  padding: 4px 0;
  overflow-x: auto;
}
`,""]),o.d(e,{},{A:s})},278(r){r.exports=function(r){var e=[];return e.toString=function(){return this.map(function(e){var o="",t=void 0!==e[5];return e[4]&&(o+="@supports (".concat(e[4],") {")),e[2]&&(o+="@media ".concat(e[2]," {")),t&&(o+="@layer".concat(e[5].length>0?" ".concat(e[5]):""," {")),o+=r(e),t&&(o+="}"),e[2]&&(o+="}"),e[4]&&(o+="}"),o}).join("")},e.i=function(r,o,t,a,n){"string"==typeof r&&(r=[[null,r,void 0]]);var s={};if(t)for(var i=0;i<this.length;i++){var p=this[i][0];null!=p&&(s[p]=!0)}for(var l=0;l<r.length;l++){var c=[].concat(r[l]);t&&s[c[0]]||(void 0!==n&&(void 0===c[5]||(c[1]="@layer".concat(c[5].length>0?" ".concat(c[5]):""," {").concat(c[1],"}")),c[5]=n),o&&(c[2]&&(c[1]="@media ".concat(c[2]," {").concat(c[1],"}")),c[2]=o),a&&(c[4]?(c[1]="@supports (".concat(c[4],") {").concat(c[1],"}"),c[4]=a):c[4]="".concat(a)),e.push(c))}},e}},8645(r){r.exports=function(r){return r[1]}},5292(r){var e=[];function o(r){for(var o=-1,t=0;t<e.length;t++)if(e[t].identifier===r){o=t;break}return o}function t(r,t){for(var a={},n=[],s=0;s<r.length;s++){var i=r[s],p=t.base?i[0]+t.base:i[0],l=a[p]||0,c="".concat(p," ").concat(l);a[p]=l+1;var u=o(c),d={css:i[1],media:i[2],sourceMap:i[3],supports:i[4],layer:i[5]};if(-1!==u)e[u].references++,e[u].updater(d);else{var b=function(r,e){var o=e.domAPI(e);return o.update(r),function(e){e?(e.css!==r.css||e.media!==r.media||e.sourceMap!==r.sourceMap||e.supports!==r.supports||e.layer!==r.layer)&&o.update(r=e):o.remove()}}(d,t);t.byIndex=s,e.splice(s,0,{identifier:c,updater:b,references:1})}n.push(c)}return n}r.exports=function(r,a){var n=t(r=r||[],a=a||{});return function(r){r=r||[];for(var s=0;s<n.length;s++){var i=o(n[s]);e[i].references--}for(var p=t(r,a),l=0;l<n.length;l++){var c=o(n[l]);0===e[c].references&&(e[c].updater(),e.splice(c,1))}n=p}}},9383(r){var e={};r.exports=function(r,o){var t=function(r){if(void 0===e[r]){var o=document.querySelector(r);if(window.HTMLIFrameElement&&o instanceof window.HTMLIFrameElement)try{o=o.contentDocument.head}catch(r){o=null}e[r]=o}return e[r]}(r);if(!t)throw Error("Couldn't find a style target. This probably means that the value for the 'insert' parameter is invalid.");t.appendChild(o)}},9088(r){r.exports=function(r){var e=document.createElement("style");return r.setAttributes(e,r.attributes),r.insert(e,r.options),e}},6884(r,e,o){r.exports=function(r){var e=o.nc;e&&r.setAttribute("nonce",e)}},9893(r){r.exports=function(r){if("u"<typeof document)return{update:function(){},remove:function(){}};var e=r.insertStyleElement(r);return{update:function(o){var t,a,n;t="",o.supports&&(t+="@supports (".concat(o.supports,") {")),o.media&&(t+="@media ".concat(o.media," {")),(a=void 0!==o.layer)&&(t+="@layer".concat(o.layer.length>0?" ".concat(o.layer):""," {")),t+=o.css,a&&(t+="}"),o.media&&(t+="}"),o.supports&&(t+="}"),(n=o.sourceMap)&&"u">typeof btoa&&(t+="\n/*# sourceMappingURL=data:application/json;base64,".concat(btoa(unescape(encodeURIComponent(JSON.stringify(n))))," */")),r.styleTagTransform(t,e,r.options)},remove:function(){var r;null===(r=e).parentNode||r.parentNode.removeChild(r)}}}},7997(r){r.exports=function(r,e){if(e.styleSheet)e.styleSheet.cssText=r;else{for(;e.firstChild;)e.removeChild(e.firstChild);e.appendChild(document.createTextNode(r))}}}}]);